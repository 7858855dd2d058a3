"""Identifying details found in contributions, their redaction, and published rounds' fingerprints.

``identifying_spans`` is content: it points at a contribution and holds offsets and a kind, never
the matched text, so it says nothing the contribution itself does not. ``redactions`` is a
staff action table: it names the consultant who redacted and what kind of detail went, never the
original. ``round_fingerprints`` is content: a hash over a published round's anonymous data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.clock import utcnow
from dialogue.db import Base

if TYPE_CHECKING:
    from dialogue.models.contribution import Contribution


class IdentifyingSpan(Base):
    """Characters ``span_start`` to ``span_end`` of a contribution's text look identifying.

    Kept until the consultant redacts the span or judges it harmless; until then every label,
    quote and export masks it.
    """

    __tablename__ = "identifying_spans"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), index=True
    )
    span_start: Mapped[int]
    span_end: Mapped[int]
    #: One of ``analysis.identifying.KINDS``: cpr, email, phone, name.
    kind: Mapped[str] = mapped_column(String(16))

    contribution: Mapped[Contribution] = relationship()


class Redaction(Base):
    """A consultant replaced an identifying span by a marker; the original is kept nowhere."""

    __tablename__ = "redactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    redacted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


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
