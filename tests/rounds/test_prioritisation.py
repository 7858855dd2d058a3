"""Prioritisation rounds: ranking, points and ratings validated, stored once, aggregated."""

import math

import pytest
from sqlalchemy import func, select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, RoundKind
from rounds import get_kind
from rounds.errors import RoundClosed, SubmissionRejected
from tests.factories import make_dialogue, make_round
from tests.rounds.factories import (
    ITEMS,
    answer,
    author_of,
    make_item_round,
    own_descriptions,
    participants,
)

pytestmark = pytest.mark.usefixtures("request_context")


def stored(round_):
    return Session.scalars(select(Contribution).where(Contribution.round_id == round_.id)).all()


def test_a_ranking_is_stored_as_one_contribution_with_the_order(db_session):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.PRIORITISATION, top_k=2)
    (member,) = participants(dialogue, 1)
    answer(round_, member, ["samarbejde", "arbejdsmiljo"], other="  Klimaet mangler  ")
    (row,) = stored(round_)
    assert row.data == {"method": "rank", "ranking": ["samarbejde", "arbejdsmiljo"]}
    assert row.body == "Klimaet mangler"
    assert row.target is None
    assert row.author == author_of(member)


@pytest.mark.parametrize(
    ("places", "message"),
    [
        (["arbejdsmiljo", "arbejdsmiljo"], "more than once"),
        (["ukendt", "arbejdsmiljo"], "not part of this round"),
        (["", "arbejdsmiljo"], "in order"),
        (["", ""], "at least your first"),
        (["arbejdsmiljo", "digitalisering", "rekruttering"], "at most 2"),
    ],
)
def test_bad_rankings_are_refused_and_nothing_is_stored(db_session, places, message):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.PRIORITISATION, top_k=2)
    (member,) = participants(dialogue, 1)
    with pytest.raises(SubmissionRejected) as refused:
        answer(round_, member, places)
    assert message in str(refused.value.message)
    assert stored(round_) == []


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ({"arbejdsmiljo": "60", "digitalisering": "30"}, "add up to 90"),
        ({"arbejdsmiljo": "120", "digitalisering": "-20"}, "negative"),
        ({"arbejdsmiljo": "50,5", "digitalisering": "49,5"}, "whole points"),
        ({"arbejdsmiljo": "100", "klima": "0"}, "not part of this round"),
    ],
)
def test_points_must_be_whole_and_add_up_to_the_budget(db_session, points, message):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.PRIORITISATION, method="points")
    (member,) = participants(dialogue, 1)
    with pytest.raises(SubmissionRejected) as refused:
        answer(round_, member, points)
    assert message in str(refused.value.message)
    assert stored(round_) == []


@pytest.mark.parametrize("rating", ["0", "6", "3.5", "x"])
def test_ratings_outside_one_to_five_are_refused(db_session, rating):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.PRIORITISATION, method="rate")
    (member,) = participants(dialogue, 1)
    with pytest.raises(SubmissionRejected) as refused:
        answer(round_, member, {"arbejdsmiljo": "4", "digitalisering": rating})
    assert "from 1 to 5" in str(refused.value.message)
    assert stored(round_) == []


def test_input_after_the_deadline_is_refused(db_session):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.PRIORITISATION)
    (member,) = participants(dialogue, 1)
    with pytest.raises(RoundClosed):
        answer(round_, member, ["arbejdsmiljo"], now=round_.closes_at)
    assert stored(round_) == []


def test_answering_again_replaces_the_answer_and_a_retry_changes_nothing(db_session):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.PRIORITISATION, top_k=2)
    (member,) = participants(dialogue, 1)
    answer(round_, member, ["arbejdsmiljo"], nonce="first")
    answer(round_, member, ["digitalisering", "samarbejde"], nonce="second")
    answer(round_, member, ["arbejdsmiljo"], nonce="second")  # a retried POST of "second"
    (row,) = stored(round_)
    assert row.data["ranking"] == ["digitalisering", "samarbejde"]


def test_a_round_without_items_cannot_be_answered(db_session):
    dialogue = make_dialogue()
    round_ = make_round(dialogue, RoundKind.PRIORITISATION)
    (member,) = participants(dialogue, 1)
    with pytest.raises(SubmissionRejected):
        answer(round_, member, ["arbejdsmiljo"])


RANKINGS = [
    ["arbejdsmiljo", "digitalisering"],
    ["arbejdsmiljo", "rekruttering"],
    ["digitalisering", "arbejdsmiljo"],
    ["arbejdsmiljo", "samarbejde"],
    ["rekruttering", "arbejdsmiljo"],
]


def test_ranking_results_match_hand_computed_numbers(db_session):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.PRIORITISATION, top_k=2)
    for member, ranking in zip(participants(dialogue, 5), RANKINGS, strict=True):
        answer(round_, member, ranking)
    results = get_kind(round_.kind).results(round_, None)
    by_key = {item.key: item.ranking for item in results.items}
    # n = 4 items; unranked items share places 3 and 4 (rank 3.5); Borda = sum of (4 - rank).
    assert by_key["arbejdsmiljo"].borda == 13
    assert by_key["arbejdsmiljo"].mean_rank == pytest.approx(1.4)
    assert by_key["arbejdsmiljo"].top_share == 1.0
    assert by_key["digitalisering"].borda == 6.5
    assert by_key["digitalisering"].top_share == pytest.approx(0.4)
    assert by_key["samarbejde"].borda == 4
    assert by_key["samarbejde"].mean_rank == pytest.approx(3.2)
    # Rank sums 7, 13.5, 13.5, 16; S = 44.5; ties 5 x (2^3 - 2); W = 12 S / (25 x 60 - 5 x 30).
    assert results.kendall.w == pytest.approx(12 * 44.5 / 1350)
    assert results.kendall.chi2 == pytest.approx(15 * 12 * 44.5 / 1350)
    assert results.ordered_items[0].key == "arbejdsmiljo"
    assert results.respondents == 5


def test_points_results_match_hand_computed_numbers(db_session):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.PRIORITISATION, method="points")
    allocations = [
        (50, 50, 0, 0),
        (100, 0, 0, 0),
        (25, 25, 25, 25),
        (0, 0, 40, 60),
        (40, 30, 20, 10),
    ]
    for member, points in zip(participants(dialogue, 5), allocations, strict=True):
        answer(round_, member, {item["key"]: str(p) for item, p in zip(ITEMS, points, strict=True)})
    results = get_kind(round_.kind).results(round_, None)
    by_key = {item.key: item.points for item in results.items}
    assert by_key["arbejdsmiljo"].total == 215
    assert by_key["arbejdsmiljo"].mean == 43
    assert by_key["arbejdsmiljo"].budget_share == pytest.approx(0.43)
    assert by_key["samarbejde"].total == 95
    assert [item.key for item in results.ordered_items][:2] == ["arbejdsmiljo", "digitalisering"]


def test_fewer_respondents_than_the_group_size_show_nothing(db_session):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.PRIORITISATION, top_k=2)
    for member, ranking in zip(participants(dialogue, 4), RANKINGS, strict=False):
        answer(round_, member, ranking)
    results = get_kind(round_.kind).results(round_, None)
    assert results.suppressed
    assert results.kendall is None
    assert all(item.suppressed and item.ranking is None for item in results.items)


def test_rating_method_feeds_stability_of_a_repeated_round(db_session):
    dialogue = make_dialogue()
    first = make_item_round(dialogue, RoundKind.PRIORITISATION, method="rate")
    members = participants(dialogue, 5)
    for member, rating in zip(members, "33445", strict=True):
        answer(first, member, {"arbejdsmiljo": rating})
    second = make_item_round(dialogue, RoundKind.PRIORITISATION, method="rate", repeat_of=first.id)
    for member, rating in zip(members, "34445", strict=True):
        answer(second, member, {"arbejdsmiljo": rating})
    results = get_kind(second.kind).results(second, None)
    item = next(i for i in results.items if i.key == "arbejdsmiljo")
    # One of five answers moved from 3 to 4: change 0.2, more than the 15% called stable.
    assert item.stability.change == pytest.approx(0.2)
    assert not item.stability.stable
    assert math.isclose(item.stability.mean_change, 0.2)
    count = Session.scalar(select(func.count()).select_from(Contribution))
    assert count >= 10


def test_a_ranking_reads_as_places_with_item_names(request_context):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.PRIORITISATION, method="rank", places=2)
    (member,) = participants(dialogue, 1)
    answer(round_, member, ["samarbejde", "arbejdsmiljo"], other="Husk ældreplejen")
    assert own_descriptions(round_, member) == [
        ["1. Samarbejde", "2. Arbejdsmiljø", "Husk ældreplejen"]
    ]
