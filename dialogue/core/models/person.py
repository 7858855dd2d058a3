"""The identity part of the schema: the only table that holds names and e-mail addresses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.db import Base

if TYPE_CHECKING:
    from dialogue.core.models.membership import Membership


class Person(UserMixin, Base):
    """Someone who can log in. Nothing here records what they contributed, or when."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    #: Only staff have a password; participants log in through their invitation link.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Base32 TOTP secret of a staff member who completed enrolment (TARGETS S7); empty until
    #: then, and again after an admin resets it.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: The time-step counter of the last code accepted, so that a code works only once.
    totp_last_counter: Mapped[int | None] = mapped_column(BigInteger)
    #: Wrong codes in a row since the last right one; at ``totp.MAX_FAILURES`` the second
    #: factor is locked until an administrator unlocks or resets it.
    totp_failures: Mapped[int] = mapped_column(default=0, server_default="0")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Person {self.id}>"
