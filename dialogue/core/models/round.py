"""A timed round of a dialogue. Whether it is open is derived from the clock, never stored."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.db import Base, enum_type

if TYPE_CHECKING:
    from dialogue.core.models.dialogue import Dialogue


class RoundKind(enum.Enum):
    """The five kinds of the reference process; each has its module in ``rounds/``."""

    CHALLENGES = "challenges"
    PRIORITISATION = "prioritisation"
    CULTURE = "culture"
    CONSULTATION = "consultation"
    ACTION = "action"


class RoundState(enum.Enum):
    """Where a round stands at a given instant."""

    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


class Round(Base):
    """One step of the dialogue, open from ``opens_at`` (inclusive) to ``closes_at`` (exclusive)."""

    __tablename__ = "rounds"
    __table_args__ = (CheckConstraint("closes_at > opens_at", name="closes_after_opening"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        ForeignKey("dialogues.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    kind: Mapped[RoundKind] = mapped_column(enum_type(RoundKind))
    title: Mapped[str] = mapped_column(String(200))
    prompt: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[dt.datetime]
    closes_at: Mapped[dt.datetime]
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_published: Mapped[bool] = mapped_column(default=False)

    dialogue: Mapped[Dialogue] = relationship(back_populates="rounds")

    def state_at(self, now: dt.datetime) -> RoundState:
        """The round's state at ``now`` (an aware datetime)."""
        if now < self.opens_at:
            return RoundState.UPCOMING
        if now < self.closes_at:
            return RoundState.OPEN
        return RoundState.CLOSED

    def __repr__(self) -> str:
        return f"<Round {self.id} {self.kind.value}>"
