"""Creating, scheduling (in local time, across DST), locking, reordering and publishing rounds."""

import datetime as dt

import pytest
from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Role, RoundKind
from rounds.errors import InvalidSettings
from rounds.lifecycle import editing, locks, schedule
from tests.factories import make_dialogue, make_member, make_round
from tests.rounds.factories import ITEMS, answer, closed_times, make_item_round, participants

pytestmark = pytest.mark.usefixtures("request_context")
UTC = dt.UTC


def actions(dialogue):
    return Session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.dialogue_id == dialogue.id)
        .order_by(AuditEvent.id)
    ).all()


def create(dialogue, opens_at, closes_at=None, kind=RoundKind.PRIORITISATION, **settings):
    return editing.create_round(
        dialogue,
        kind=kind,
        title="Prioritering",
        opens_at=opens_at,
        closes_at=closes_at,
        settings={"items": ITEMS, **settings},
        actor_id=None,
    )


def test_local_times_are_stored_in_utc_and_a_round_lasts_a_week(db_session):
    dialogue = make_dialogue()
    round_ = create(dialogue, dt.datetime(2026, 1, 5, 8, 0))
    assert round_.opens_at == dt.datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # CET = UTC+1
    assert round_.closes_at == dt.datetime(2026, 1, 12, 7, 0, tzinfo=UTC)
    assert actions(dialogue) == ["round.create"]


def test_a_week_across_the_spring_change_is_a_week_by_the_wall_clock(db_session):
    dialogue = make_dialogue()
    # Monday 23 March 2026 08:00 CET to Monday 30 March 08:00 CEST: 167 hours.
    round_ = create(dialogue, dt.datetime(2026, 3, 23, 8, 0))
    assert round_.closes_at == dt.datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    assert round_.closes_at - round_.opens_at == dt.timedelta(hours=167)


def test_closing_at_midnight_on_the_last_sundays_of_october_and_march(db_session):
    dialogue = make_dialogue()
    # 00:00 on Sunday 25 October 2026 is still summer time (UTC+2) …
    autumn = create(dialogue, dt.datetime(2026, 10, 18, 0, 0), dt.datetime(2026, 10, 25, 0, 0))
    assert autumn.closes_at == dt.datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    # … and 00:00 on Sunday 29 March 2026 still winter time (UTC+1).
    spring = create(dialogue, dt.datetime(2026, 3, 22, 0, 0), dt.datetime(2026, 3, 29, 0, 0))
    assert spring.closes_at == dt.datetime(2026, 3, 28, 23, 0, tzinfo=UTC)


def test_a_time_that_does_not_exist_is_refused_with_a_suggestion(db_session):
    dialogue = make_dialogue()
    with pytest.raises(schedule.ScheduleRefused) as refused:
        create(dialogue, dt.datetime(2026, 3, 22, 8, 0), dt.datetime(2026, 3, 29, 2, 30))
    assert "03:00" in str(refused.value.message)
    assert actions(dialogue) == []


def test_an_hour_that_happens_twice_means_its_first_occurrence(db_session):
    dialogue = make_dialogue()
    round_ = create(dialogue, dt.datetime(2026, 10, 18, 8, 0), dt.datetime(2026, 10, 25, 2, 30))
    assert round_.closes_at == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # CEST, UTC+2


def test_a_round_must_close_after_it_opens(db_session):
    dialogue = make_dialogue()
    with pytest.raises(schedule.ScheduleRefused):
        create(dialogue, dt.datetime(2026, 1, 5, 8, 0), dt.datetime(2026, 1, 5, 8, 0))


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"method": "vote"}, "method"),
        ({"budget": 0}, "budget"),
        ({"min_share": 0.4}, "min_share"),
        ({"items": [{"key": "a b", "label": "x"}]}, "items"),
        ({"items": [{"key": "a", "label": "x"}, {"key": "a", "label": "y"}]}, "items"),
        ({"colour": "red"}, None),
    ],
)
def test_invalid_settings_are_refused(db_session, settings, field):
    dialogue = make_dialogue()
    with pytest.raises(InvalidSettings) as refused:
        create(dialogue, dt.datetime(2026, 1, 5, 8, 0), **settings)
    assert refused.value.field == field


def update(round_, now=None, opens_at=None, closes_at=None, **settings):
    return editing.update_round(
        round_,
        title=round_.title,
        prompt=round_.prompt,
        opens_at=opens_at or round_.opens_at,
        closes_at=closes_at or round_.closes_at,
        settings={**round_.settings, **settings},
        actor_id=None,
        now=now or dt.datetime.now(UTC),
    )


def test_method_and_items_are_locked_once_the_round_has_input(db_session):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.PRIORITISATION)
    update(round_, method="points")  # no input yet: allowed
    assert round_.settings["method"] == "points"
    update(round_, method="rank")
    (member,) = participants(dialogue, 1)
    answer(round_, member, ["arbejdsmiljo"])
    with pytest.raises(locks.SettingsLocked) as refused:
        update(round_, method="rate")
    assert "Method" in str(refused.value.message)
    with pytest.raises(locks.SettingsLocked):
        update(round_, items=ITEMS[:2])
    Session.refresh(round_)
    assert "method" not in round_.settings
    # The consensus and stop rule was declared to the participants before they answered.
    for changed in ({"min_share": 0.8}, {"stop_after": 4}, {"stop_change": 0.2}):
        with pytest.raises(locks.SettingsLocked) as refused:
            update(round_, **changed)
        assert refused.value.field == next(iter(changed))
    Session.refresh(round_)
    assert not {"min_share", "stop_after", "stop_change"} & set(round_.settings)


def test_rescheduling_is_audited_with_both_schedules(db_session):
    dialogue = make_dialogue()
    round_ = make_round(dialogue)
    new_close = round_.closes_at + dt.timedelta(days=2)
    update(round_, closes_at=new_close)
    event = Session.scalars(select(AuditEvent).where(AuditEvent.action == "round.schedule")).one()
    assert event.details["closes_at"] == new_close.isoformat(timespec="minutes")
    assert "previous_closes_at" in event.details


def test_publishing_needs_a_closed_round_and_is_audited(db_session):
    dialogue = make_dialogue()
    admin = make_member(dialogue, Role.ADMIN)
    open_round = make_round(dialogue)
    with pytest.raises(editing.NotClosed):
        editing.set_published(open_round, True, actor_id=admin.person_id, now=dt.datetime.now(UTC))
    assert not open_round.is_published
    closed = make_round(dialogue, **closed_times())
    editing.set_published(closed, True, actor_id=admin.person_id, now=dt.datetime.now(UTC))
    assert closed.is_published
    editing.set_published(closed, False, actor_id=admin.person_id, now=dt.datetime.now(UTC))
    assert actions(dialogue) == ["round.publish", "round.unpublish"]


def test_a_published_round_cannot_be_reopened(db_session):
    dialogue = make_dialogue()
    closed = make_round(dialogue, **closed_times())
    closed.is_published = True
    with pytest.raises(schedule.ScheduleRefused):
        update(closed, closes_at=dt.datetime.now(UTC) + dt.timedelta(days=1))


def test_rounds_move_up_and_down(db_session):
    dialogue = make_dialogue()
    first, second = make_round(dialogue), make_round(dialogue)
    editing.move_round(second, -1, actor_id=None)
    Session.refresh(dialogue)
    assert [r.id for r in dialogue.rounds] == [second.id, first.id]
    editing.move_round(second, -1, actor_id=None)  # already first: nothing happens
    assert actions(dialogue) == ["round.reorder"]
