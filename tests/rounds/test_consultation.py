"""Consultation rounds: a rating and a comment per proposal validated, stored once, aggregated."""

import pytest
from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, RoundKind
from rounds import get_kind
from rounds.errors import SubmissionRejected
from tests.factories import make_dialogue
from tests.rounds.factories import answer, make_item_round, own_descriptions, participants

pytestmark = pytest.mark.usefixtures("request_context")


def stored(round_):
    return Session.scalars(
        select(Contribution).where(Contribution.round_id == round_.id).order_by(Contribution.target)
    ).all()


def consultation(dialogue, **settings):
    return make_item_round(dialogue, RoundKind.CONSULTATION, **settings)


def test_consultation_stores_one_row_per_proposal_with_rating_and_comment(db_session):
    dialogue = make_dialogue()
    round_ = consultation(dialogue)
    (member,) = participants(dialogue, 1)
    answer(
        round_,
        member,
        {
            "arbejdsmiljo": ("4", " Godt forslag "),
            "digitalisering": ("", "Uklart"),
            "samarbejde": ("", ""),
        },
    )
    rows = stored(round_)
    assert [(r.target, r.data, r.body) for r in rows] == [
        ("arbejdsmiljo", {"rating": 4}, "Godt forslag"),
        ("digitalisering", {}, "Uklart"),
    ]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"arbejdsmiljo": ("7", "")}, "from 1 to 5"),
        ({"klima": ("4", "")}, "not part of this round"),
        ({"arbejdsmiljo": ("", "")}, "at least one proposal"),
        ({"arbejdsmiljo": ("3", "x" * 1001)}, "1000 characters"),
    ],
)
def test_consultation_refuses_bad_input_and_stores_nothing(db_session, given, message):
    dialogue = make_dialogue()
    round_ = consultation(dialogue)
    (member,) = participants(dialogue, 1)
    with pytest.raises(SubmissionRejected) as refused:
        answer(round_, member, given)
    assert message in str(refused.value.message)
    assert stored(round_) == []


def test_consultation_answer_again_replaces_rows_and_drops_cleared_ones(db_session):
    dialogue = make_dialogue()
    round_ = consultation(dialogue)
    (member,) = participants(dialogue, 1)
    answer(round_, member, {"arbejdsmiljo": ("2", ""), "digitalisering": ("3", "")})
    answer(round_, member, {"arbejdsmiljo": ("5", ""), "digitalisering": ("", "")})
    assert [(r.target, r.data) for r in stored(round_)] == [("arbejdsmiljo", {"rating": 5})]


def test_consultation_results_match_hand_computed_numbers(db_session):
    dialogue = make_dialogue()
    round_ = consultation(dialogue)
    members = participants(dialogue, 6)
    for number, (member, a, r) in enumerate(zip(members, "454435", "121554", strict=True)):
        given = {"arbejdsmiljo": (a, ""), "rekruttering": (r, "")}
        if number < 4:
            given["digitalisering"] = ("4", "")
        answer(round_, member, given)
    results = get_kind(round_.kind).results(round_, None)
    items = {item.key: item for item in results.items}
    work = items["arbejdsmiljo"]
    # 3 4 4 4 5 5: median 4, Q1 = 4, Q3 = 4 + 0.75 x 1 (type 7), 5 of 6 agree.
    assert work.ratings.median == 4
    assert work.ratings.iqr == pytest.approx(0.75)
    assert work.ratings.mean == pytest.approx(25 / 6)
    assert work.distribution == (0, 0, 1, 3, 2)
    assert work.verdict == "consensus"
    split = items["rekruttering"]
    # 1 1 2 4 5 5: half on each side, IQR 4.75 - 1.25.
    assert split.ratings.iqr == pytest.approx(3.5)
    assert split.verdict == "dissensus"
    # Digitalisering was rated by four people only: fewer than the group size of five.
    assert items["digitalisering"].suppressed
    assert items["digitalisering"].distribution is None


def test_consultation_thresholds_are_set_per_round(db_session):
    dialogue = make_dialogue()
    round_ = consultation(dialogue, min_share=0.9)
    for member, a in zip(participants(dialogue, 6), "454435", strict=True):
        answer(round_, member, {"arbejdsmiljo": (a, "")})
    results = get_kind(round_.kind).results(round_, None)
    assert results.items[0].verdict == "no consensus"


def test_a_consultation_answer_names_the_value_and_the_rating(request_context):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.CONSULTATION)
    (member,) = participants(dialogue, 1)
    answer(round_, member, {"digitalisering": (5, "Godt forslag")})
    lines = own_descriptions(round_, member)
    assert len(lines) == 1
    assert lines[0][0].startswith("Digitalisering: ")
    assert lines[0][1] == "Godt forslag"
