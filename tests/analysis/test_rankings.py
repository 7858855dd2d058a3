"""Tests for analysis.rankings: hand-computed examples, SciPy cross-checks, properties."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis.rankings import (
    ItemPoints,
    ItemRanking,
    KendallW,
    kendalls_w,
    points_summary,
    ranking_summary,
    ranks_from_top_k,
)

# No example database on disk (keeps the work tree clean); no deadlines (no timing asserts).
quick = settings(database=None, deadline=None, max_examples=150)


@st.composite
def rank_matrices(draw, min_raters=2, max_raters=8, min_items=2, max_items=7):
    """Rank matrices whose rows are full rankings or top-k rankings with a tied tail."""
    m = draw(st.integers(min_raters, max_raters))
    n = draw(st.integers(min_items, max_items))
    rows = []
    for _ in range(m):
        order = draw(st.permutations(range(n)))
        k = draw(st.integers(0, n))
        rows.append(ranks_from_top_k(order[:k], n))
    return np.array(rows)


def has_order(r):
    """At least one rater does not tie every item, so W is defined."""
    return bool((r.max(axis=1) > r.min(axis=1)).any())


# --- ranks_from_top_k -------------------------------------------------------------------------


def test_top_k_ties_the_tail_at_the_average_remaining_rank():
    # Items 3 and 1 take ranks 1 and 2; items 0, 2, 4 share ranks 3, 4, 5 -> (3+4+5)/3 = 4.
    assert ranks_from_top_k([3, 1], 5).tolist() == [4.0, 2.0, 4.0, 1.0, 4.0]


def test_top_k_empty_and_full_choices():
    assert ranks_from_top_k([], 4).tolist() == [2.5] * 4  # (1+2+3+4)/4
    assert ranks_from_top_k([2, 0, 1], 3).tolist() == [2.0, 3.0, 1.0]
    # Choosing n - 1 items leaves a single item in last place, not a tie.
    assert ranks_from_top_k([2, 0], 3).tolist() == [2.0, 3.0, 1.0]


@pytest.mark.parametrize(("choices", "n_items"), [([0, 0], 3), ([3], 3), ([-1], 3), ([], 0)])
def test_top_k_rejects_bad_input(choices, n_items):
    with pytest.raises(ValueError, match=r"choices|n_items"):
        ranks_from_top_k(choices, n_items)


@quick
@given(rank_matrices(min_raters=1, max_raters=1))
def test_top_k_rows_are_valid_rankings(r):
    row = r[0]
    n = row.size
    assert row.sum() == pytest.approx(n * (n + 1) / 2)
    np.testing.assert_allclose(stats.rankdata(row), row)


# --- kendalls_w: hand computations ------------------------------------------------------------


def test_w_without_ties_by_hand():
    # m = 3 raters, n = 3 items.  Column sums R = 3, 7, 8; mean 6; S = 9 + 1 + 4 = 14.
    # W = 12 S / (m^2 (n^3 - n)) = 168 / (9 * 24) = 7/9; chi2 = m (n-1) W = 6 * 7/9 = 14/3.
    res = kendalls_w([[1, 2, 3], [1, 3, 2], [1, 2, 3]])
    assert res.w == pytest.approx(7 / 9)
    assert res.chi2 == pytest.approx(14 / 3)
    assert res.p_value == pytest.approx(math.exp(-7 / 3))  # chi2 sf with 2 df is exp(-x/2)
    assert (res.n_raters, res.n_items) == (3, 3)


def test_w_tie_correction_by_hand():
    # Rows: [1, 2, 3, 4], [1, 2, 3.5, 3.5], [1.5, 1.5, 3, 4]; m = 3, n = 4.
    # Column sums R = 3.5, 5.5, 9.5, 11.5; mean 7.5; S = 16 + 4 + 4 + 16 = 40.
    # Tie terms: rater 2 and 3 each have one pair, t^3 - t = 6, so sum T = 12.
    # Denominator m^2 (n^3 - n) - m sum T = 9 * 60 - 3 * 12 = 504.
    # W = 12 * 40 / 504 = 20/21 (uncorrected it would be 480/540 = 8/9).
    # chi2 = m (n - 1) W = 9 * 20/21 = 60/7.
    res = kendalls_w([[1, 2, 3, 4], [1, 2, 3.5, 3.5], [1.5, 1.5, 3, 4]])
    assert res.w == pytest.approx(20 / 21)
    assert res.chi2 == pytest.approx(60 / 7)
    assert res.p_value == pytest.approx(stats.chi2.sf(60 / 7, 3))


def test_w_is_one_for_identical_and_zero_for_opposed_rankings():
    assert kendalls_w([[1, 2, 3, 4]] * 5).w == pytest.approx(1.0)
    # Identical rankings with ties still give W = 1 thanks to the tie correction.
    assert kendalls_w([[1.5, 1.5, 3]] * 4).w == pytest.approx(1.0)
    opposed = kendalls_w([[1, 2, 3, 4], [4, 3, 2, 1]])
    assert opposed.w == 0.0
    assert opposed.chi2 == 0.0
    assert opposed.p_value == pytest.approx(1.0)


def test_w_is_nan_when_everybody_ties_everything():
    res = kendalls_w([[2, 2, 2], [2, 2, 2]])
    assert math.isnan(res.w)
    assert math.isnan(res.chi2)
    assert math.isnan(res.p_value)
    assert (res.n_raters, res.n_items) == (2, 3)


@pytest.mark.parametrize(
    ("ranks", "message"),
    [
        ([[1, 2, 3]], "two raters"),
        ([[1], [1]], "two raters and two items"),
        ([[1, 2, np.nan], [1, 2, 3]], "NaN"),
        ([[1, 1, 3], [1, 2, 3]], "rank the items"),
        ([[1, 2, 4], [1, 2, 3]], "rank the items"),
        ([[0, 1, 2], [1, 2, 3]], "rank the items"),
        ([1, 2, 3], "2-D"),
        (np.empty((0, 3)), "2-D"),
    ],
)
def test_w_rejects_degenerate_or_invalid_input(ranks, message):
    with pytest.raises(ValueError, match=message):
        kendalls_w(ranks)


def test_w_result_is_frozen():
    res = kendalls_w([[1, 2], [2, 1]])
    assert isinstance(res, KendallW)
    with pytest.raises(AttributeError):
        res.w = 1.0


# --- kendalls_w: against SciPy ----------------------------------------------------------------


@quick
@given(rank_matrices(min_items=3))
def test_chi2_and_p_match_scipy_friedman(r):
    # Friedman's tie-corrected chi-square equals m (n - 1) W (scipy needs n >= 3 groups).
    if not has_order(r):
        return
    res = kendalls_w(r)
    friedman = stats.friedmanchisquare(*r.T)
    assert res.chi2 == pytest.approx(friedman.statistic, rel=1e-9, abs=1e-9)
    assert res.p_value == pytest.approx(friedman.pvalue, rel=1e-9, abs=1e-12)
    assert res.chi2 == pytest.approx(r.shape[0] * (r.shape[1] - 1) * res.w)


@quick
@given(st.integers(2, 7), st.integers(2, 7), st.randoms(use_true_random=False))
def test_w_matches_mean_spearman_without_ties(m, n, rnd):
    # Without ties, mean pairwise Spearman rho = (m W - 1) / (m - 1) (Kendall 1948).
    r = np.array([rnd.sample(range(1, n + 1), n) for _ in range(m)], dtype=float)
    rhos = [stats.spearmanr(a, b).statistic for a, b in itertools.combinations(r, 2)]
    w = kendalls_w(r).w
    assert (m * w - 1) / (m - 1) == pytest.approx(np.mean(rhos), abs=1e-9)


# --- kendalls_w: properties -------------------------------------------------------------------


@quick
@given(rank_matrices())
def test_w_and_p_are_in_unit_interval(r):
    res = kendalls_w(r)
    if not has_order(r):
        assert math.isnan(res.w)
        return
    assert 0.0 <= res.w <= 1.0
    assert 0.0 <= res.p_value <= 1.0


@quick
@given(rank_matrices(), st.randoms(use_true_random=False))
def test_w_ignores_order_of_raters_and_items(r, rnd):
    if not has_order(r):
        return
    raters = rnd.sample(range(r.shape[0]), r.shape[0])
    items = rnd.sample(range(r.shape[1]), r.shape[1])
    base = kendalls_w(r)
    assert kendalls_w(r[raters]).w == pytest.approx(base.w)
    assert kendalls_w(r[:, items]).w == pytest.approx(base.w)


@quick
@given(rank_matrices(min_raters=1, max_raters=1), st.integers(2, 6))
def test_identical_rankings_give_w_one(row, m):
    r = np.repeat(row, m, axis=0)
    if not has_order(r):
        return
    res = kendalls_w(r)
    assert res.w == pytest.approx(1.0)


# --- ranking_summary --------------------------------------------------------------------------


def test_ranking_summary_by_hand():
    # n = 4 items, Borda points = 4 - rank.
    # P1 top-2 [0, 1] -> ranks 1, 2, 3.5, 3.5 -> points 3, 2, 0.5, 0.5
    # P2 full [1, 0, 2, 3] -> ranks 2, 1, 3, 4 -> points 2, 3, 1, 0
    # P3 top-1 [3] -> ranks 3, 3, 3, 1 -> points 1, 1, 1, 3
    ranks = [
        ranks_from_top_k([0, 1], 4),
        ranks_from_top_k([1, 0, 2, 3], 4),
        ranks_from_top_k([3], 4),
    ]
    out = ranking_summary(ranks)
    assert [i.borda for i in out] == [6.0, 6.0, 2.5, 3.5]
    # Mean ranks: (1+2+3)/3 = 2, (2+1+3)/3 = 2, (3.5+3+3)/3 = 19/6, (3.5+4+1)/3 = 17/6.
    assert [i.mean_rank for i in out] == pytest.approx([2, 2, 19 / 6, 17 / 6])
    # Top 3 (rank <= 3; the tied 3.5 does not count): 3/3, 3/3, 2/3, 1/3.
    assert [i.top_share for i in out] == pytest.approx([1, 1, 2 / 3, 1 / 3])
    assert isinstance(out[0], ItemRanking)


def test_ranking_summary_top_parameter():
    out = ranking_summary([[1, 2, 3], [2, 1, 3]], top=1)
    assert [i.top_share for i in out] == [0.5, 0.5, 0.0]


@quick
@given(rank_matrices(min_raters=1))
def test_borda_points_add_up(r):
    # Every participant hands out 0 + 1 + ... + (n - 1) = n (n - 1) / 2 points.
    m, n = r.shape
    total = sum(i.borda for i in ranking_summary(r))
    assert total == pytest.approx(m * n * (n - 1) / 2)


# --- points_summary ---------------------------------------------------------------------------


def test_points_summary_by_hand():
    # Totals 80, 100, 20 of 200 spent; budget 100 each -> whole budget 300.
    pts = [[60, 40, 0], [20, 60, 20]]
    spent = points_summary(pts)
    assert spent == (
        ItemPoints(80.0, 40.0, 0.4),
        ItemPoints(100.0, 50.0, 0.5),
        ItemPoints(20.0, 10.0, 0.1),
    )
    budget = points_summary(pts, budget=150)
    assert [i.budget_share for i in budget] == pytest.approx([80 / 300, 100 / 300, 20 / 300])


def test_points_share_is_nan_when_nothing_spent():
    out = points_summary([[0, 0], [0, 0]])
    assert all(math.isnan(i.budget_share) for i in out)
    assert [i.total for i in out] == [0.0, 0.0]


@pytest.mark.parametrize("pts", [[[1, -1]], [[1, np.nan]], [1, 2], np.empty((0, 2))])
def test_points_rejects_invalid(pts):
    with pytest.raises(ValueError, match="non-negative"):
        points_summary(pts)
