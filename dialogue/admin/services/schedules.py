"""Reminder times: set or removed by the admin, sent by the scheduler (``dialogue tick``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dialogue.core.audit import record_event
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.errors import UserError
from dialogue.core.models import (
    ReminderSchedule,
    Round,
    RoundState,
)


class ScheduleRefused(UserError):
    """A reminder time that cannot be kept."""


def add_schedule(round_: Round, hours_before_close: int, actor_id: int | None) -> ReminderSchedule:
    """Send a reminder ``hours_before_close`` hours before ``round_`` closes.

    Raises
    ------
    ScheduleRefused
        When the round has closed or the same time is set already.
    """
    if round_.state_at(utcnow()) is RoundState.CLOSED:
        raise ScheduleRefused(_l("The round has closed: it needs no reminders."))
    exists = Session.scalar(
        select(ReminderSchedule.id).where(
            ReminderSchedule.round_id == round_.id,
            ReminderSchedule.hours_before_close == hours_before_close,
        )
    )
    if exists is not None:
        raise ScheduleRefused(_l("A reminder at that time is set already."))
    schedule = ReminderSchedule(round=round_, hours_before_close=hours_before_close)
    Session.add(schedule)
    Session.flush()
    record_event(
        actor_id,
        "reminders.scheduled",
        round_.dialogue,
        subject=round_.title,
        round_id=round_.id,
        hours_before_close=hours_before_close,
    )
    return schedule


def remove_schedule(schedule: ReminderSchedule, actor_id: int | None) -> None:
    """Drop a reminder time; a reminder it sent stays in the log."""
    round_ = schedule.round
    record_event(
        actor_id,
        "reminders.unscheduled",
        round_.dialogue,
        subject=round_.title,
        round_id=round_.id,
        hours_before_close=schedule.hours_before_close,
    )
    Session.delete(schedule)
    Session.flush()
