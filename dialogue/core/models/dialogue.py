"""A dialogue: one organisation's multi-round process towards shared values or a strategy."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.db import Base

if TYPE_CHECKING:
    from dialogue.core.models.round import Round

#: Reports never show a group smaller than this, whatever the dialogue asks for.
MIN_GROUP_SIZE_FLOOR = 3
#: Days after the last round closes until the purge, unless the admin sets another period.
DEFAULT_RETENTION_DAYS = 365


class Dialogue(Base):
    """Title, language and the anonymity threshold that every report of this dialogue obeys."""

    __tablename__ = "dialogues"
    __table_args__ = (
        CheckConstraint(f"min_group_size >= {MIN_GROUP_SIZE_FLOOR}", name="min_group_size"),
        CheckConstraint("retention_days >= 1", name="retention_days"),
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
    #: Anyone with the dialogue's join link may become a participant
    #: (``dialogue.auth.services.joining``); off: only the imported list takes part.
    open_join: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Who may join an open dialogue: e-mail domains ("@example.org") and claim=value terms
    #: ("groups=staff"), any of which admits; empty admits anyone.
    open_rule: Mapped[str] = mapped_column(String(500), default="", server_default="")
    #: The organisation responsible for the personal data (named in the privacy notice).
    data_controller: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: The admin's own privacy notice in Danish and English; empty: the standard text.
    notice_da: Mapped[str] = mapped_column(Text, default="", server_default="")
    notice_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: Days after the last round closes until ``dialogue purge`` removes the personal data.
    retention_days: Mapped[int] = mapped_column(
        default=DEFAULT_RETENTION_DAYS, server_default=str(DEFAULT_RETENTION_DAYS)
    )
    #: At the purge: keep the published results and final values, anonymously (True), or
    #: delete the whole dialogue (False).
    keep_results: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: The day the purge ran (results kept); None until then.
    purged_on: Mapped[dt.date | None]

    rounds: Mapped[list[Round]] = relationship(
        back_populates="dialogue", order_by="Round.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Dialogue {self.slug}>"
