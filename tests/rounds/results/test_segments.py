"""Results by group: pseudonyms mapped in memory, small groups and their complements hidden."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogue.core.models import RoundKind
from rounds import get_kind
from rounds.results.segments import author_segments, breakdowns
from tests.conftest import TEST_SECRETS
from tests.factories import make_dialogue
from tests.rounds.factories import answer, make_item_round, participants

pytestmark = pytest.mark.usefixtures("request_context")


def test_breakdowns_hide_small_groups_and_the_one_that_would_reveal_them(db_session):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.CONSULTATION)
    members = (
        participants(dialogue, 11, department="IT", role_group="Medarbejder")[:6]
        + participants(dialogue, 5, department="HR", role_group="Medarbejder")
        + participants(dialogue, 2, department="Løn", role_group="Leder")
    )
    for member in members:
        rating = "5" if member.department == "IT" else "3"
        answer(round_, member, {"arbejdsmiljo": (rating, "")})
    segments = author_segments(dialogue, TEST_SECRETS["ANON_SECRET"])
    results = get_kind(round_.kind).results(round_, segments)
    departments = {row.name: row for row in results.breakdowns[0].rows}
    assert departments["IT"].respondents == 6
    assert departments["IT"].values["arbejdsmiljo"] == 5
    # Løn (2) is below 5; HR, the smallest shown group, is hidden too, or total - IT = Løn + HR.
    assert departments["Løn"].respondents is None
    assert departments["HR"].respondents is None
    assert departments["HR"].values == {}
    roles = {row.name: row.respondents for row in results.breakdowns[1].rows}
    assert roles == {"Leder": None, "Medarbejder": None}
    assert results.respondents == 13
    # What the page says of each: Løn and Leder are small; Medarbejder (11) is hidden to protect
    # Leder (13 - 11 = 2); of HR, where all 5 invited answered, saying more would tell that.
    reasons = {
        row.name: row.hidden_as for breakdown in results.breakdowns for row in breakdown.rows
    }
    assert reasons == {
        "IT": "",
        "HR": "",
        "Løn": "small",
        "Leder": "small",
        "Medarbejder": "protects",
    }


def test_segments_are_only_computed_for_participants(db_session):
    dialogue = make_dialogue()
    participants(dialogue, 2, department="IT")
    segments = author_segments(dialogue, TEST_SECRETS["ANON_SECRET"])
    assert len(segments) == 2
    assert {s["department"] for s in segments.values()} == {"IT"}


def test_a_group_where_everyone_answered_is_hidden(db_session):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.CONSULTATION)
    members = (
        participants(dialogue, 6, department="IT")
        + participants(dialogue, 20, department="HR")[:10]
    )
    for member in members:
        answer(round_, member, {"arbejdsmiljo": ("4", "")})
    segments = author_segments(dialogue, TEST_SECRETS["ANON_SECRET"])
    departments = get_kind(round_.kind).results(round_, segments).breakdowns[0].rows
    # "6 invited, 6 answered" would say that every one of them answered, and how.
    assert {row.name: row.respondents for row in departments} == {"HR": 10, "IT": None}


def test_a_department_minus_its_leaders_is_not_shown_beside_them(db_session):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.CONSULTATION)
    members = (
        participants(dialogue, 5, department="Borgerservice", role_group="Leder")
        + participants(dialogue, 1, department="Borgerservice", role_group="Medarbejder")
        + participants(dialogue, 20, department="Jobcenter", role_group="Medarbejder")[:10]
    )
    # Members who do not answer, so that no group is hidden for having answered in full.
    participants(dialogue, 10, department="Borgerservice", role_group="Medarbejder")
    participants(dialogue, 5, department="Jobcenter", role_group="Leder")
    for member in members:
        rating = "1" if member.role_group == "Medarbejder" else "5"
        answer(round_, member, {"arbejdsmiljo": (rating, "")})
    segments = author_segments(dialogue, TEST_SECRETS["ANON_SECRET"])
    results = get_kind(round_.kind).results(round_, segments)
    department = {row.name: row.respondents for row in results.breakdowns[0].rows}
    role = {row.name: row.respondents for row in results.breakdowns[1].rows}
    assert department["Borgerservice"] == 6
    # Borgerservice (6) minus its leaders (5) would be the one employee's rating.
    assert not (department["Borgerservice"] and role["Leder"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("ABCDE"), st.sampled_from("LM"), st.booleans()), max_size=50
    ),
    st.integers(min_value=3, max_value=6),
)
def test_no_breakdown_row_lets_a_small_group_be_derived(people, k):
    segments = {
        f"author{i}": {"department": department, "role_group": role}
        for i, (department, role, _answered) in enumerate(people)
    }
    answers = {f"author{i}": True for i, (_d, _r, answered) in enumerate(people) if answered}
    shown_sets = [set(answers)]
    for breakdown in breakdowns(answers, segments, k, lambda authors: {"n": len(authors)}):
        rows = [row for row in breakdown.rows if row.respondents is not None]
        for row in rows:
            members = {a for a in answers if segments[a][breakdown.dimension] == row.name}
            invited = sum(1 for s in segments.values() if s[breakdown.dimension] == row.name)
            assert row.respondents == row.values["n"] == len(members) >= k
            assert invited - len(members) >= k
            shown_sets.append(members)
        for row in breakdown.rows:
            if row.respondents is None:
                size = sum(1 for a in answers if segments[a][breakdown.dimension] == row.name)
                # "fewer than k" only of a group that is small; a larger one is hidden to protect.
                assert (row.hidden_as == "small") == (size < k)
        rest = len(answers) - sum(row.respondents for row in rows)
        assert rest == 0 or rest >= k
        if len(rows) < len(breakdown.rows):
            assert rest >= k
    for first in shown_sets:
        for second in shown_sets:
            assert len(first ^ second) == 0 or len(first ^ second) >= k
