"""A dialogue: one organisation's multi-round process towards shared values or a strategy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.db import Base

if TYPE_CHECKING:
    from dialogue.core.models.round import Round

#: Reports never show a group smaller than this, whatever the dialogue asks for.
MIN_GROUP_SIZE_FLOOR = 3


class Dialogue(Base):
    """Title, language and the anonymity threshold that every report of this dialogue obeys."""

    __tablename__ = "dialogues"
    __table_args__ = (
        CheckConstraint(f"min_group_size >= {MIN_GROUP_SIZE_FLOOR}", name="min_group_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(2), default="da")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Copenhagen")
    is_public: Mapped[bool] = mapped_column(default=False)
    min_group_size: Mapped[int] = mapped_column(default=5)
    #: The ID-token claim that holds a participant's e-mail address when they sign in through
    #: the installation's OpenID provider; None: participants of this dialogue use links only.
    oidc_claim: Mapped[str | None] = mapped_column(String(64), default=None)

    rounds: Mapped[list[Round]] = relationship(
        back_populates="dialogue", order_by="Round.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Dialogue {self.slug}>"
