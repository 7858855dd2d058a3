import pytest

from analysis.stability import match_themes
from analysis.types import CHANGE_KINDS


def summary(changes):
    return [(c.theme_id, c.kind, c.cluster, c.previous_ids) for c in changes]


def test_same_membership_is_unchanged_whatever_the_cluster_order():
    previous = {10: {1, 2, 3, 4}, 11: {5, 6, 7, 8}}
    changes = match_themes(previous, [{5, 6, 7, 8}, {1, 2, 3, 4}])
    assert summary(changes) == [(11, "unchanged", 0, (11,)), (10, "unchanged", 1, (10,))]


def test_grown_and_shrunk_keep_their_ids():
    previous = {1: set(range(10)), 2: set(range(10, 20))}
    changes = match_themes(previous, [set(range(10)) | {50, 51, 52, 53}, set(range(14, 18))])
    assert [(c.theme_id, c.kind, c.size, c.previous_size) for c in changes] == [
        (1, "grown", 14, 10),
        (2, "shrunk", 4, 10),
    ]


def test_split_keeps_the_id_on_the_larger_piece():
    previous = {5: set(range(10)), 6: set(range(10, 15))}
    changes = match_themes(previous, [set(range(6)), set(range(6, 10)), set(range(10, 15))])
    assert summary(changes) == [
        (5, "split", 0, (5,)),
        (7, "split", 1, (5,)),
        (6, "unchanged", 2, (6,)),
    ]


def test_merge_lists_both_sources_and_keeps_one_id():
    previous = {1: set(range(6)), 2: set(range(6, 10)), 3: set(range(10, 15))}
    changes = match_themes(previous, [set(range(10)), set(range(10, 15))])
    assert summary(changes) == [(1, "merged", 0, (1, 2)), (3, "unchanged", 1, (3,))]


def test_new_and_gone_themes():
    previous = {1: {1, 2, 3}, 2: {4, 5, 6}}
    changes = match_themes(previous, [{1, 2, 3}, {7, 8, 9}])
    assert summary(changes) == [
        (1, "unchanged", 0, (1,)),
        (3, "new", 1, ()),
        (2, "gone", None, (2,)),
    ]


def test_a_few_members_moving_do_not_link_themes():
    previous = {1: set(range(20)), 2: set(range(20, 40))}
    current = [set(range(19)) | {20}, set(range(21, 40)) | {19}]
    assert [c.kind for c in match_themes(previous, current)] == ["unchanged", "unchanged"]


def test_first_run_makes_every_cluster_new():
    changes = match_themes({}, [{1, 2}, {3}])
    assert [(c.theme_id, c.kind) for c in changes] == [(0, "new"), (1, "new")]


@pytest.mark.parametrize("kind", CHANGE_KINDS)
def test_every_change_kind_is_reachable(kind):
    cases = {
        "new": ({}, [{1}]),
        "grown": ({1: {1, 2}}, [{1, 2, 3}]),
        "shrunk": ({1: {1, 2, 3}}, [{1, 2}]),
        "split": ({1: {1, 2, 3, 4}}, [{1, 2}, {3, 4}]),
        "merged": ({1: {1, 2}, 2: {3, 4}}, [{1, 2, 3, 4}]),
        "gone": ({1: {1}}, []),
        "unchanged": ({1: {1, 2}}, [{1, 2}]),
    }
    previous, current = cases[kind]
    assert kind in {change.kind for change in match_themes(previous, current)}
