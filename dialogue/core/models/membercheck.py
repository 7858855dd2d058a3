"""Member checking: a participant's answer to "is this what you meant?" about one contribution.

The answer is keyed to the contribution alone, which is already pseudonymous: no column names a
person, a membership or a time finer than the round (TARGETS A1). Who dealt with a contested
answer, and when, is in the audit trail, which names staff only.
"""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from dialogue.core.db import Base, enum_type


class CheckAnswer(enum.Enum):
    """Whether the theme and proposal a contribution went into say what its author meant."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"

    @property
    def contested(self) -> bool:
        """Anything but a plain yes asks the consultant to look again."""
        return self is not CheckAnswer.YES


class MemberCheck(Base):
    """One answer per contribution; answering again replaces it."""

    __tablename__ = "member_checks"
    #: SQLite stores the rows in key order, not write order (TARGETS A11).
    __table_args__ = {"sqlite_with_rowid": False}

    #: The key is the contribution's own random id: a counter would tell the order in which
    #: answers came, which could be set against the order of logins (TARGETS A2).
    contribution_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True
    )
    answer: Mapped[CheckAnswer] = mapped_column(enum_type(CheckAnswer))
    comment: Mapped[str] = mapped_column(String(1000), default="")
    #: What the consultant did about a contested answer; shown to the participant. None: open.
    response: Mapped[str | None] = mapped_column(String(1000))

    @property
    def dealt_with(self) -> bool:
        """Whether the consultant has answered this (contested) check."""
        return self.response is not None
