"""Results of a round's extra questions: nothing while open, counts and bands suppressed."""

from __future__ import annotations

from itertools import combinations

import pytest
from sqlalchemy import select

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import QuestionType, RoundResultsCache
from dialogue.core.results_cache.final import finalise
from dialogue.privacy.services.erasure import erase_own_input
from rounds.questions.setup import QuestionSpec
from rounds.results.questions import question_results
from tests.factories import make_dialogue, make_round
from tests.rounds.factories import author_of, participants
from tests.rounds.questions.factories import (
    AGE,
    SCALE,
    SENIORITY,
    SINGLE,
    TEXT,
    add,
    close,
    give,
)


def results_of(round_, **kwargs):
    return {r.id: r for r in question_results(round_, language="en", now=utcnow(), **kwargs)}


def test_nothing_is_shown_while_the_round_is_open(db_session):
    dialogue = make_dialogue(min_group_size=3)
    round_ = make_round(dialogue)
    (single,) = add(round_, SINGLE)
    for member in participants(dialogue, 6):
        give(round_, member, {single: "Yes"})
    assert question_results(round_, language="en", now=utcnow(), by_band=True) == []


def test_counts_per_option_hide_small_groups_and_what_would_reveal_them(db_session):
    dialogue = make_dialogue(min_group_size=5)
    round_ = make_round(dialogue)
    single, scale, why, rare = add(
        round_, SINGLE, SCALE, TEXT, QuestionSpec(QuestionType.SCALE, "Sjælden?", "Rare?")
    )
    members = participants(dialogue, 12)
    for index, member in enumerate(members):
        choice = "Yes" if index < 6 else "No" if index < 10 else "Don't know"
        values = {single: choice, scale: 4 if index < 7 else 2, why: f"Tekst {index}"}
        if index < 4:
            values[rare] = 5
        give(round_, member, values)
    close(round_)
    results = results_of(round_, with_texts=True)
    counts = {o.label: o.count for o in results[single.id].options}
    # "No" (4) and "Don't know" (2) are too small; together they are not, so Yes may show.
    assert counts == {"Yes": 6, "No": None, "Don't know": None}
    assert {o.hidden_as for o in results[single.id].options} == {"", "small"}
    assert results[single.id].respondents == 12
    scale_counts = {o.label: o.count for o in results[scale.id].options}
    assert scale_counts == {"1": 0, "2": 5, "3": 0, "4": 7, "5": 0}
    assert results[scale.id].mean == pytest.approx((7 * 4 + 5 * 2) / 12)
    assert results[why.id].texts == 12
    assert len(results[why.id].quoted) == 12
    assert results[rare.id].suppressed
    assert results[rare.id].options == ()
    assert results_of(round_)[why.id].quoted == ()


def test_a_large_option_is_hidden_when_it_would_give_away_the_small_rest(db_session):
    dialogue = make_dialogue(min_group_size=5)
    round_ = make_round(dialogue)
    (single,) = add(round_, SINGLE)
    for index, member in enumerate(participants(dialogue, 11)):
        give(round_, member, {single: "Yes" if index < 8 else "No"})
    close(round_)
    options = results_of(round_)[single.id].options
    assert [(o.count, o.hidden_as) for o in options] == [
        (None, "protects"),
        (None, "small"),
        (0, ""),
    ]


def band_sets(results, question_id):
    return {
        (breakdown.heading, row.label): row.respondents
        for breakdown in results[question_id].breakdowns
        for row in breakdown.rows
    }


def test_a_breakdown_by_band_never_shows_a_group_below_the_minimum(db_session):
    dialogue = make_dialogue(min_group_size=5)
    round_ = make_round(dialogue)
    single, age = add(round_, SINGLE, AGE)
    members = participants(dialogue, 13)
    for index, member in enumerate(members):
        band = "Under 30" if index < 8 else "30–44" if index < 11 else "60 or over"
        give(round_, member, {single: "Yes" if index % 2 else "No", age: band})
    close(round_)
    results = results_of(round_, by_band=True)
    rows = band_sets(results, single.id)
    # Under 30 (8) could be shown, but the two small bands together (5) would then be shown
    # as the rest: that is allowed, as they are at least the minimum together.
    assert rows[("How old are you?", "Under 30")] == 8
    assert rows[("How old are you?", "30–44")] is None
    assert rows[("How old are you?", "60 or over")] is None
    # The band's own question shows the same suppression in its counts.
    assert {o.label: o.count for o in results[age.id].options}["30–44"] is None
    assert results_of(round_)[single.id].breakdowns == ()  # participants see no breakdowns


def test_two_background_questions_cannot_isolate_fewer_than_the_minimum(db_session):
    """Age and seniority side by side cannot single out a group smaller than the minimum.

    No shown band, and no difference between two of them (of either question), holds fewer.
    """
    k = 5
    dialogue = make_dialogue(min_group_size=k)
    round_ = make_round(dialogue)
    single, age, seniority = add(round_, SINGLE, AGE, SENIORITY)
    members = participants(dialogue, 16)
    people = {}
    for index, member in enumerate(members):
        # Under 30 is 7 people, of whom 6 are also the "Under 2 years": they differ by 1.
        band = "Under 30" if index < 7 else "45–59"
        years = "Under 2 years" if 1 <= index < 7 else "6–15 years"
        give(round_, member, {single: "Yes" if index % 3 else "No", age: band, seniority: years})
        people.setdefault(("How old are you?", band), set()).add(index)
        people.setdefault(("How long have you been in the organisation?", years), set()).add(index)
    close(round_)
    results = results_of(round_, by_band=True)
    shown = {key: size for key, size in band_sets(results, single.id).items() if size is not None}
    assert shown, "some bands are large enough to show"
    under_30 = ("How old are you?", "Under 30")
    newest = ("How long have you been in the organisation?", "Under 2 years")
    assert not (under_30 in shown and newest in shown)  # else their difference is one person
    for key, size in shown.items():
        assert size == len(people[key]) >= k
    for first, second in combinations(shown, 2):
        difference = len(people[first] ^ people[second])
        assert difference == 0 or difference >= k, (first, second)
    everyone = set(range(16))
    for heading in {key[0] for key in people}:
        rest = everyone - set().union(*(people[key] for key in shown if key[0] == heading))
        assert len(rest) == 0 or len(rest) >= k, heading
    # The age question broken down by seniority (and the reverse) obeys the same rule.
    for question in (age, seniority):
        for (_heading, _label), size in band_sets(results, question.id).items():
            assert size is None or size >= k


def test_stored_results_follow_an_erasure_after_the_round_closed(db_session):
    dialogue = make_dialogue(min_group_size=3)
    round_ = make_round(dialogue)
    (single,) = add(round_, SINGLE)
    members = participants(dialogue, 6)
    for member in members:
        give(round_, member, {single: "Yes"})
    close(round_)
    assert results_of(round_)[single.id].respondents == 6
    assert results_of(round_)[single.id].respondents == 6  # from the results cache
    erase_own_input(dialogue, author_of(members[0]))
    assert results_of(round_)[single.id].respondents == 5


def test_the_closed_rounds_job_stores_every_view_of_the_questions(app_context):
    dialogue = make_dialogue(min_group_size=3)
    round_ = make_round(dialogue)
    (single,) = add(round_, SINGLE)
    for member in participants(dialogue, 4):
        give(round_, member, {single: "No"})
    close(round_)
    Session.commit()
    finalise(round_)
    variants = set(
        Session.scalars(
            select(RoundResultsCache.variant).where(RoundResultsCache.round_id == round_.id)
        )
    )
    assert {f"questions:{lang}:{view}" for lang in ("da", "en")
            for view in ("0:0", "1:0", "1:1")} <= variants  # fmt: skip
