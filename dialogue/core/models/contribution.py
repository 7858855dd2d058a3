"""Participant input. By construction nothing here can point at a person.

The author is a keyed-hash pseudonym (see ``dialogue.core.anonymity``); the primary key is random so
that its order says nothing about when or by whom a row was written; the only date is the day.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.db import Base, enum_type

if TYPE_CHECKING:
    from dialogue.core.models.round import Round


class ModerationState(enum.Enum):
    """Whether the consultant let a contribution through to analysis and quotes."""

    VISIBLE = "visible"
    HIDDEN = "hidden"


class Contribution(Base):
    """One piece of input in a round: text, structured answers (ratings, ranks), or both."""

    __tablename__ = "contributions"
    #: SQLite stores the rows in the order of their random ids rather than of an implicit
    #: rowid counting up in write order (TARGETS A11).
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(64), index=True)
    body: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The round item this answers ("theme:12", "proposal:3"); the round kind defines the keys.
    target: Mapped[str | None] = mapped_column(String(64))
    created_on: Mapped[dt.date]
    moderation: Mapped[ModerationState] = mapped_column(
        enum_type(ModerationState), default=ModerationState.VISIBLE
    )
    #: A random nonce from the submitted form, so a retried POST stores one row, not two.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Whether staff may read it while the round is open: a participant's new or changed input
    #: waits until at least the minimum group size of authors have some (``rounds.release``).
    released: Mapped[bool] = mapped_column(default=True, server_default=true())

    round: Mapped[Round] = relationship()

    def __repr__(self) -> str:
        return f"<Contribution {self.id}>"
