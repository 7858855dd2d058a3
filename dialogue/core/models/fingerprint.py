"""The fingerprints of published rounds: one hash of a round's published data per publication.

``round_fingerprints`` is content: a hash over a published round's anonymous data.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from dialogue.core.clock import utcnow
from dialogue.core.db import Base


class RoundFingerprint(Base):
    """The SHA-256 of a round's published data at one publication; the newest one is checked.

    Older rows stay as the round's publication history (a re-publication after a redaction
    adds a row). The canonical form hashed is described in ``docs/fingerprints.md``.
    """

    __tablename__ = "round_fingerprints"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    #: Version of the canonical form, so that a later change of form can still verify old rows.
    form_version: Mapped[int] = mapped_column(default=1)
    sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
