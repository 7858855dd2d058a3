"""A person's role in one dialogue, with their segment and their hashed invitation token."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.db import Base, enum_type

if TYPE_CHECKING:
    from dialogue.core.models.dialogue import Dialogue
    from dialogue.core.models.person import Person


class Role(enum.Enum):
    """What a member may do in a dialogue."""

    PARTICIPANT = "participant"
    CONSULTANT = "consultant"
    MANAGEMENT = "management"
    ADMIN = "admin"

    @property
    def is_staff(self) -> bool:
        """Staff log in with a password and never see who wrote what."""
        return self is not Role.PARTICIPANT


class Membership(Base):
    """Person ↔ dialogue.

    Department and role group live here rather than on the person because they describe the
    organisation that runs this dialogue.
    """

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("person_id", "dialogue_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    dialogue_id: Mapped[int] = mapped_column(
        ForeignKey("dialogues.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_type(Role))
    department: Mapped[str | None] = mapped_column(String(120))
    role_group: Mapped[str | None] = mapped_column(String(60))
    #: SHA-256 of the current login link's token; the token itself is never stored.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[dt.datetime | None]

    person: Mapped[Person] = relationship(back_populates="memberships")
    dialogue: Mapped[Dialogue] = relationship()

    def __repr__(self) -> str:
        return f"<Membership {self.id} {self.role.value}>"
