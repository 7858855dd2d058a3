"""Suppression across overlapping dimensions: no shown figure lets a group below k be derived."""

from __future__ import annotations

import random
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.suppression import (
    PROTECTS,
    SMALL,
    shown_disjoint,
    shown_groups,
    suppress_small_groups,
    why_hidden,
)

# No example database on disk (keeps the work tree clean); no deadlines (no timing asserts).
quick = settings(database=None, deadline=None, max_examples=150)


def test_two_hidden_groups_of_one_each_hide_the_rest_too():
    # Showing C = 10 beside the total 12 would expose A and B together: a group of 2.
    shown, total = suppress_small_groups({"A": 1, "B": 1, "C": 10})
    assert shown == {"A": None, "B": None, "C": None}
    assert total == 12


def test_department_minus_its_leaders_is_not_shown():
    # A department of 6 whose 5 leaders are all the dialogue's leaders: 6 - 5 = one person.
    people = {f"p{i}" for i in range(20)}
    department = {"p0", "p1", "p2", "p3", "p4", "p5"}
    leaders = {"p0", "p1", "p2", "p3", "p4"}
    shown = shown_groups(
        {
            "department": {"Borgerservice": department, "Jobcenter": people - department},
            "role_group": {"Leader": leaders, "Employee": people - leaders},
        },
        people,
        5,
    )
    assert not ("Borgerservice" in shown["department"] and "Leader" in shown["role_group"])


def test_invited_equal_to_contributed_is_hidden():
    people = {f"p{i}" for i in range(30)}
    small = {f"p{i}" for i in range(6)}
    shown = shown_groups(
        {"department": {"A": small, "B": people - small}},
        people,
        5,
        population={"department": {"A": 6, "B": 40}},
    )
    assert "A" not in shown["department"]


def test_refuses_a_minimum_below_three():
    with pytest.raises(ValueError, match="min_size"):
        shown_groups({}, set(), 2)


@st.composite
def organisations(draw):
    """Random people with a department and a role group, and who of them answered."""
    size = draw(st.integers(min_value=0, max_value=60))
    departments = draw(st.integers(min_value=1, max_value=6))
    roles = draw(st.integers(min_value=1, max_value=4))
    people = [
        (
            draw(st.integers(min_value=0, max_value=departments - 1)),
            draw(st.integers(min_value=0, max_value=roles - 1)),
            draw(st.booleans()),
        )
        for _ in range(size)
    ]
    k = draw(st.integers(min_value=3, max_value=7))
    return people, k


@settings(max_examples=300, deadline=None)
@given(organisations())
def test_no_shown_figure_lets_a_small_group_be_derived(organisation):
    people, k = organisation
    respondents = {i for i, (_d, _r, answered) in enumerate(people) if answered}
    dimensions = {"department": {}, "role_group": {}}
    invited = {"department": {}, "role_group": {}}
    for i, (department, role, answered) in enumerate(people):
        for dimension, name in (("department", department), ("role_group", role)):
            invited[dimension][name] = invited[dimension].get(name, 0) + 1
            if answered:
                dimensions[dimension].setdefault(name, set()).add(i)
    shown = shown_groups(dimensions, respondents, k, population=invited)

    visible = [frozenset(respondents)] if len(respondents) >= k else []
    for dimension, groups in dimensions.items():
        mine = [frozenset(groups[name]) for name in shown[dimension]]
        for members in mine:
            assert len(members) >= k  # no small group shown
            assert (
                next(
                    invited[dimension][n] - len(groups[n])
                    for n in shown[dimension]
                    if groups[n] == members
                )
                >= k
            )  # nor one where nearly everyone invited took part
        hidden_rest = len(respondents) - sum(len(m) for m in mine)
        if len(mine) < len(groups) and len(respondents) >= k:  # the total is shown
            assert hidden_rest >= k  # total minus visible siblings
        visible.extend(mine)
    if not visible or len(respondents) < k:
        return
    for first, second in combinations(visible, 2):
        assert len(first ^ second) == 0 or len(first ^ second) >= k


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=3), st.integers(0, 30), max_size=8), st.integers(3, 7))
def test_hidden_cells_of_one_dimension_add_up_to_k(counts, k):
    shown, total = suppress_small_groups(counts, k)
    hidden = sum(counts[g] for g, value in shown.items() if value is None)
    assert all(value is None or value >= k for value in shown.values())
    if total is not None and any(value is None for value in shown.values()):
        assert hidden >= k


def test_a_hidden_group_says_why_without_telling_how_many_took_part():
    assert why_hidden(3, 5) == SMALL  # "fewer than 5" is true of it
    assert why_hidden(24, 5) == PROTECTS  # hidden so that a smaller group cannot be derived
    assert why_hidden(24, 5, population=26) == ""  # "not small" would say nearly all took part
    assert why_hidden(24, 5, population=40) == PROTECTS


def test_shown_disjoint_agrees_with_shown_groups_on_one_dimension():
    rng = random.Random(7)
    for _ in range(500):
        k = rng.randint(3, 6)
        sizes = {name: rng.randint(1, 12) for name in range(rng.randint(1, 5))}
        total = sum(sizes.values())
        members, start = {}, 0
        for name, size in sizes.items():
            members[name] = set(range(start, start + size))
            start += size
        expected = shown_groups({"option": members}, set(range(total)), k)["option"]
        assert shown_disjoint(sizes, total, k) == expected, (sizes, k)


# --- suppress_small_groups --------------------------------------------------------------------


def test_no_suppression_when_all_groups_are_large():
    assert suppress_small_groups({"HR": 5, "IT": 8}) == ({"HR": 5, "IT": 8}, 13)


def test_single_small_group_triggers_complementary_suppression():
    # Without hiding "B", A = 30 - 9 - 12 - 7 = 2 could be recovered.
    counts = {"A": 2, "B": 7, "C": 9, "D": 12}
    assert suppress_small_groups(counts) == ({"A": None, "B": None, "C": 9, "D": 12}, 30)


def test_complement_ties_are_broken_by_name():
    counts = {"z": 1, "y": 6, "x": 6}
    assert suppress_small_groups(counts, min_size=3) == ({"z": None, "y": 6, "x": None}, 13)


def test_small_groups_hidden_together_below_k_need_a_complement():
    # Showing C beside the total would expose A and B together: a group of 3.
    counts = {"A": 2, "B": 1, "C": 9}
    assert suppress_small_groups(counts) == ({"A": None, "B": None, "C": None}, 12)


def test_small_groups_hidden_together_from_k_on_need_no_complement():
    counts = {"A": 2, "B": 3, "C": 9}
    assert suppress_small_groups(counts) == ({"A": None, "B": None, "C": 9}, 14)


def test_no_complement_when_total_is_hidden():
    counts = {"A": 2, "B": 7, "C": 9}
    assert suppress_small_groups(counts, show_total=False) == ({"A": None, "B": 7, "C": 9}, None)


def test_total_below_min_size_is_hidden():
    assert suppress_small_groups({"A": 4}) == ({"A": None}, None)
    assert suppress_small_groups({"A": 1, "B": 1}, min_size=3) == ({"A": None, "B": None}, None)
    # A total of 3 is itself a publishable group; it reveals only A + B, not either one.
    assert suppress_small_groups({"A": 1, "B": 2}, min_size=3) == ({"A": None, "B": None}, 3)
    assert suppress_small_groups({}) == ({}, None)


@pytest.mark.parametrize("min_size", [0, 1, 2])
def test_min_size_below_three_is_refused(min_size):
    with pytest.raises(ValueError, match="min_size"):
        suppress_small_groups({"A": 10}, min_size=min_size)


@pytest.mark.parametrize("counts", [{"A": -1}, {"A": 2.5}])
def test_counts_must_be_non_negative_integers(counts):
    with pytest.raises(ValueError, match="counts"):
        suppress_small_groups(counts)


@quick
@given(
    st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 20), max_size=8),
    st.integers(3, 10),
    st.booleans(),
)
def test_no_small_group_can_be_seen_or_derived(counts, min_size, show_total):
    shown, total = suppress_small_groups(counts, min_size, show_total)
    assert shown.keys() == counts.keys()
    visible = {g: c for g, c in shown.items() if c is not None}
    assert all(c >= min_size and c == counts[g] for g, c in visible.items())
    if total is not None:
        assert total == sum(counts.values()) >= min_size
        # With a total on show, a lone hidden group would be total minus the visible ones.
        assert len(shown) - len(visible) != 1
