"""Suppression across overlapping dimensions: no shown figure lets a group below k be derived."""

from __future__ import annotations

import random
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.consensus import suppress_small_groups
from analysis.suppression import PROTECTS, SMALL, shown_disjoint, shown_groups, why_hidden


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
