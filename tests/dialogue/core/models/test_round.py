"""Model behaviour that every later feature relies on."""

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from dialogue.core.db import Session
from dialogue.core.models import Round, RoundState
from tests.factories import make_dialogue, make_round


def test_timestamps_round_trip_as_aware_utc(db_session):
    dialogue = make_dialogue()
    opens = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    round_ = make_round(dialogue, opens_at=opens, closes_at=opens + dt.timedelta(days=7))
    round_id = round_.id
    Session.expunge_all()

    stored = Session.get(Round, round_id)
    assert stored.opens_at.tzinfo is not None
    assert stored.opens_at.utcoffset() == dt.timedelta(0)
    assert stored.opens_at == opens


def test_naive_timestamps_are_refused(db_session):
    dialogue = make_dialogue()
    with pytest.raises(Exception, match="naive datetime"):
        make_round(dialogue, opens_at=dt.datetime(2026, 1, 1), closes_at=dt.datetime(2026, 1, 8))


@pytest.mark.parametrize(
    ("offset", "state"),
    [
        (dt.timedelta(seconds=-1), RoundState.UPCOMING),
        (dt.timedelta(0), RoundState.OPEN),
        (dt.timedelta(days=7, seconds=-1), RoundState.OPEN),
        (dt.timedelta(days=7), RoundState.CLOSED),
    ],
)
def test_round_state_is_derived_from_the_clock(offset, state):
    opens = dt.datetime(2026, 10, 19, 6, tzinfo=dt.UTC)
    round_ = Round(opens_at=opens, closes_at=opens + dt.timedelta(days=7))
    assert round_.state_at(opens + offset) is state


def test_minimum_group_size_below_three_is_refused(db_session):
    with pytest.raises(IntegrityError):
        make_dialogue(min_group_size=2)
