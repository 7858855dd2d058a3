"""Mails staff send to every participant at once: the send log, reminder times, kept links.

Kept links are login links sent earlier that a new send left working. The log holds counts
only, never a recipient: invitations and reminders always go to every active participant
(TARGETS A8), so a list of recipients would add nothing but names.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.clock import utcnow
from dialogue.core.db import Base, enum_type
from dialogue.core.models.round import Round


class SendKind(enum.Enum):
    """What was sent."""

    INVITATION = "invitation"
    REMINDER = "reminder"


class ReminderSchedule(Base):
    """A reminder the scheduler (``dialogue tick``) sends a set time before a round closes."""

    __tablename__ = "reminder_schedules"
    __table_args__ = (UniqueConstraint("round_id", "hours_before_close"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    hours_before_close: Mapped[int]

    round: Mapped[Round] = relationship()

    @property
    def due_at(self) -> dt.datetime:
        """When the reminder should go out."""
        return self.round.closes_at - dt.timedelta(hours=self.hours_before_close)


class MailSend(Base):
    """One send of invitations or reminders: when, which round, what, to how many.

    ``schedule_id`` is unique: a scheduled reminder is logged before its mails leave, in the
    same transaction as their links, so that a second tick (or one after a restart) finds it
    sent and sends nothing.
    """

    __tablename__ = "mail_sends"

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        ForeignKey("dialogues.id", ondelete="CASCADE"), index=True
    )
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    kind: Mapped[SendKind] = mapped_column(enum_type(SendKind))
    count: Mapped[int]
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: The admin who sent it; None for the scheduler.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    #: Sent by ``dialogue tick`` at a reminder time (kept when the time is removed later).
    scheduled: Mapped[bool] = mapped_column(default=False)
    schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("reminder_schedules.id", ondelete="SET NULL"), unique=True
    )
    #: Whether links sent earlier stopped working with this send.
    replaced_links: Mapped[bool] = mapped_column(default=False)

    round: Mapped[Round | None] = relationship()


class KeptLink(Base):
    """A login link sent earlier that still works beside the newest one on the membership.

    Written only when staff send to everyone at once, for every active participant alike, so
    it says nothing about who used a link: a used link is refused by the session store.
    """

    __tablename__ = "kept_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), index=True
    )
    #: SHA-256 of the token, as on the membership.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime]
