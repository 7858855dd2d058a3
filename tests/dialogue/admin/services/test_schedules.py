"""Reminder times per round, set on the participants page; bad input changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from dialogue.admin import queries
from dialogue.admin.services import schedules, sends
from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, ReminderSchedule
from tests.conftest import csrf_from
from tests.dialogue.admin.views.test_participants import log_in_admin, page_url
from tests.factories import make_dialogue, make_member, make_round


def add_time(client, dialogue, round_, amount, unit="days"):
    csrf = csrf_from(client.get(page_url(dialogue)))
    prefix = f"schedule{round_.id}"
    return client.post(
        f"/d/{dialogue.slug}/admin/participants/schedules/{round_.id}",
        data={f"{prefix}-csrf_token": csrf, f"{prefix}-amount": amount, f"{prefix}-unit": unit},
    )


def stored(round_) -> list[int]:
    return sorted(
        Session.scalars(
            select(ReminderSchedule.hours_before_close).where(
                ReminderSchedule.round_id == round_.id
            )
        )
    )


def test_the_admin_sets_and_removes_reminder_times(client):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue)
    make_member(dialogue)
    log_in_admin(client, dialogue)

    assert add_time(client, dialogue, round_, "2").status_code == 302
    assert add_time(client, dialogue, round_, "6", "hours").status_code == 302

    assert stored(round_) == [6, 48]
    page = client.get(page_url(dialogue)).get_data(as_text=True)
    assert "(48 hours before it closes)" in page
    assert "(6 hours before it closes)" in page
    event = Session.scalar(select(AuditEvent).where(AuditEvent.action == "reminders.scheduled"))
    assert event.details == {"round_id": round_.id, "hours_before_close": 48}

    schedule_id = Session.scalar(
        select(ReminderSchedule.id).where(ReminderSchedule.hours_before_close == 48)
    )
    removed = client.post(
        f"/d/{dialogue.slug}/admin/participants/schedules/{round_.id}/{schedule_id}/remove",
        data={"csrf_token": csrf_from(client.get(page_url(dialogue)))},
    )
    assert removed.status_code == 302
    assert stored(round_) == [6]


@pytest.mark.parametrize(
    ("amount", "unit", "message"),
    [
        ("0", "days", "Enter a whole number from 1 to 60."),
        ("abc", "days", "Not a valid integer value."),
        ("", "days", "Enter a number."),
        ("3", "weeks", "Not a valid choice."),
    ],
)
def test_bad_reminder_times_are_refused_with_a_message(client, amount, unit, message):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue)
    log_in_admin(client, dialogue)

    response = add_time(client, dialogue, round_, amount, unit)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored(round_) == []


def test_the_same_time_twice_and_a_closed_round_are_refused(client):
    dialogue = make_dialogue(language="en")
    now = dt.datetime.now(dt.UTC)
    round_ = make_round(dialogue)
    closed = make_round(
        dialogue, opens_at=now - dt.timedelta(days=9), closes_at=now - dt.timedelta(days=2)
    )
    log_in_admin(client, dialogue)
    add_time(client, dialogue, round_, "2")

    again = add_time(client, dialogue, round_, "48", "hours")
    late = add_time(client, dialogue, closed, "1")

    assert again.status_code == 422
    assert "A reminder at that time is set already." in again.get_data(as_text=True)
    assert late.status_code == 422
    assert "The round has closed" in late.get_data(as_text=True)
    assert stored(round_) == [48]
    assert stored(closed) == []


def test_another_dialogues_round_and_schedule_are_not_found(client):
    dialogue = make_dialogue(language="en")
    own = make_round(dialogue)
    foreign = make_round(make_dialogue())
    foreign_schedule = schedules.add_schedule(foreign, 24, None)
    log_in_admin(client, dialogue)

    assert add_time(client, dialogue, foreign, "1").status_code == 404
    removed = client.post(
        f"/d/{dialogue.slug}/admin/participants/schedules/{own.id}/{foreign_schedule.id}/remove",
        data={"csrf_token": csrf_from(client.get(page_url(dialogue)))},
    )
    assert removed.status_code == 404
    assert stored(foreign) == [24]


def test_only_due_times_of_open_rounds_are_due(app_context):
    dialogue = make_dialogue()
    now = dt.datetime.now(dt.UTC)
    closing = make_round(dialogue, closes_at=now + dt.timedelta(hours=30))
    upcoming = make_round(
        dialogue, opens_at=now + dt.timedelta(days=1), closes_at=now + dt.timedelta(days=2)
    )
    due = schedules.add_schedule(closing, 48, None)
    schedules.add_schedule(closing, 24, None)  # 6 hours from now
    schedules.add_schedule(upcoming, 60, None)  # its time has come, but the round has not opened

    assert queries.due_schedules(now) == [due]
    sends.prepare_reminders(closing, None, schedule=due)
    assert queries.due_schedules(now) == []
