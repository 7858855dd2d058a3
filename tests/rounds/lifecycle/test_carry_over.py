"""Rounds built from an earlier round's results: a culture round takes the top priorities."""

import datetime as dt

import pytest

from dialogue.core.models import RoundKind
from rounds.lifecycle import carry_over, editing
from tests.factories import make_dialogue, make_round
from tests.rounds.factories import answer, make_item_round, participants

pytestmark = pytest.mark.usefixtures("request_context")
UTC = dt.UTC


def test_a_culture_round_takes_the_top_priorities(db_session):
    dialogue = make_dialogue()
    priorities = make_item_round(dialogue, RoundKind.PRIORITISATION, top_k=1)
    for member, first in zip(
        participants(dialogue, 5), ["samarbejde"] * 3 + ["rekruttering"] * 2, strict=True
    ):
        answer(priorities, member, [first])
    culture = make_round(dialogue, RoundKind.CULTURE)
    with pytest.raises(editing.NotClosed):
        carry_over.take_items_from(culture, priorities, 2, actor_id=None, now=dt.datetime.now(UTC))
    later = priorities.closes_at + dt.timedelta(seconds=1)
    carry_over.take_items_from(culture, priorities, 2, actor_id=None, now=later)
    assert [i["key"] for i in culture.settings["items"]] == ["samarbejde", "rekruttering"]
    assert culture.settings["source_round"] == priorities.id
