"""Rounds of texts per item and aspect (culture, action): input validated, stored once, counted."""

import pytest
from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, RoundKind
from rounds import get_kind
from rounds.errors import RoundClosed, SubmissionRejected
from tests.factories import make_dialogue
from tests.rounds.factories import answer, make_item_round, participants

pytestmark = pytest.mark.usefixtures("request_context")


def stored(round_):
    return Session.scalars(
        select(Contribution).where(Contribution.round_id == round_.id).order_by(Contribution.target)
    ).all()


@pytest.mark.parametrize(
    ("kind", "aspects"),
    [(RoundKind.CULTURE, ("strength", "weakness")), (RoundKind.ACTION, ("me", "team", "across"))],
)
def test_text_kinds_store_one_row_per_item_and_aspect(db_session, kind, aspects):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, kind)
    (member,) = participants(dialogue, 1)
    answer(
        round_,
        member,
        {("arbejdsmiljo", aspects[0]): "Vi hjælper hinanden", ("samarbejde", aspects[-1]): "  "},
    )
    (row,) = stored(round_)
    assert (row.target, row.data, row.body) == (
        "arbejdsmiljo",
        {"aspect": aspects[0]},
        "Vi hjælper hinanden",
    )
    assert get_kind(kind).analysis_texts(round_) == [(row.id, "Vi hjælper hinanden")]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({("klima", "strength"): "Tekst"}, "not part of this round"),
        ({("arbejdsmiljo", "opportunity"): "Tekst"}, "does not ask for"),
        ({("arbejdsmiljo", "strength"): "   "}, "write something"),
        ({("arbejdsmiljo", "strength"): "x" * 501}, "500 characters"),
    ],
)
def test_culture_refuses_bad_input(db_session, given, message):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.CULTURE)
    (member,) = participants(dialogue, 1)
    with pytest.raises(SubmissionRejected) as refused:
        answer(round_, member, given)
    assert message in str(refused.value.message)
    assert stored(round_) == []


def test_culture_refuses_input_after_the_deadline(db_session):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.CULTURE)
    (member,) = participants(dialogue, 1)
    with pytest.raises(RoundClosed):
        answer(round_, member, {("arbejdsmiljo", "strength"): "Sent"}, now=round_.closes_at)
    assert stored(round_) == []


def test_culture_results_count_writers_and_hide_small_items(db_session):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.CULTURE)
    members = participants(dialogue, 6)
    for number, member in enumerate(members):
        given = {("arbejdsmiljo", "strength"): f"Styrke {number}"}
        if number < 5:
            given[("arbejdsmiljo", "weakness")] = f"Svaghed {number}"
        if number < 2:
            given[("samarbejde", "weakness")] = f"Silo {number}"
        answer(round_, member, given)
    results = get_kind(round_.kind).results(round_, None)
    items = {item.key: item for item in results.items}
    assert items["arbejdsmiljo"].authors == 6
    assert items["arbejdsmiljo"].texts == {"strength": 6, "weakness": 5}
    assert items["samarbejde"].suppressed
    assert items["samarbejde"].texts is None
    groups = get_kind(round_.kind).texts(round_)
    assert [(g.item, len(g.texts)) for g in groups] == [
        ("Arbejdsmiljø", 6),
        ("Arbejdsmiljø", 5),
        ("Samarbejde", 2),
    ]
