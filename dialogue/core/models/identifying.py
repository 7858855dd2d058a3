"""Identifying details found in contributions, and their redaction.

``identifying_spans`` is content: it points at a contribution and holds offsets and a kind, never
the matched text, so it says nothing the contribution itself does not. ``redactions`` is a
staff action table: it names the consultant who redacted and what kind of detail went, never the
original.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.clock import utcnow
from dialogue.core.db import Base

if TYPE_CHECKING:
    from dialogue.core.models.contribution import Contribution


def _random_id() -> int:
    """A positive 62-bit id: unique in practice, and it says nothing about when it was made."""
    return secrets.randbits(62) + 1


class IdentifyingSpan(Base):
    """Characters ``span_start`` to ``span_end`` of a contribution's text look identifying.

    Kept until the consultant redacts the span or judges it harmless; until then every label,
    quote and export masks it.
    """

    __tablename__ = "identifying_spans"
    #: Written when a participant saves a text: stored in key order, not write order (A11).
    __table_args__ = {"sqlite_with_rowid": False}

    #: Random, not counted up: a counter would tell the order in which texts were saved.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, default=_random_id
    )
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
