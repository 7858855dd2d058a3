"""Tests for analysis.consensus: hand-computed examples and properties of the ratings statistics."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.consensus import (
    CONSENSUS,
    CONSENSUS_AGAINST,
    DISSENSUS,
    NO_CONSENSUS,
    ItemRatings,
    consensus_verdict,
    rating_stability,
    rating_summary,
)

# No example database on disk (keeps the work tree clean); no deadlines (no timing asserts).
quick = settings(database=None, deadline=None, max_examples=150)


# --- rating_summary ---------------------------------------------------------------------------


def test_rating_summary_by_hand():
    nan = np.nan
    ratings = np.array(
        [
            [1, 5, nan],
            [2, 4, nan],
            [3, 4, nan],
            [5, nan, nan],
            [5, 4, nan],
        ]
    )
    first, second, third = rating_summary(ratings)
    # Item 0: 1 2 3 5 5.  mean 16/5; median 3; linear Q1 at position 1 -> 2, Q3 at 3 -> 5.
    assert first == ItemRatings(5, 3.2, 3.0, 3.0, 0.4, 0.4)
    # Item 1: 4 4 4 5 (one missing).  Q1 = 4, Q3 at position 2.25 -> 4 + 0.25 = 4.25.
    assert second == ItemRatings(4, 4.25, 4.0, 0.25, 1.0, 0.0)
    assert third.n == 0
    assert all(math.isnan(v) for v in (third.mean, third.median, third.iqr, third.share_agree))


def test_rating_summary_matches_numpy_percentiles():
    rng = np.random.default_rng(7)
    x = rng.integers(1, 6, size=(23, 4)).astype(float)
    for item, col in zip(rating_summary(x), x.T, strict=True):
        q1, q3 = np.percentile(col, [25, 75])
        assert item.iqr == pytest.approx(q3 - q1)
        assert item.median == np.median(col)


@pytest.mark.parametrize("ratings", [[[0]], [[6]], [[2.5]], [1, 2, 3]])
def test_rating_summary_rejects_off_scale(ratings):
    with pytest.raises(ValueError, match="ratings"):
        rating_summary(ratings)


# --- consensus_verdict ------------------------------------------------------------------------


def verdict_of(values, **kw):
    return consensus_verdict(rating_summary(np.array(values, dtype=float).reshape(-1, 1))[0], **kw)


def test_verdict_boundaries_are_inclusive():
    # Sorted 3 3 3 4 4 4 4 4 4 4: linear Q1 at position 9 * 0.25 = 2.25, a quarter of the way
    # from sorted[2] = 3 to sorted[3] = 4 -> 3.25; Q3 at 6.75 -> 4; IQR 0.75; agree exactly 7/10.
    assert verdict_of([3, 3, 3, 4, 4, 4, 4, 4, 4, 4]) == CONSENSUS
    # 4 4 5 5: Q1 at 0.75 -> 4, Q3 at 2.25 -> 5; IQR exactly 1, agree 1.
    assert verdict_of([4, 4, 5, 5]) == CONSENSUS


def test_verdict_needs_a_small_iqr_as_well_as_agreement():
    # Sorted 3 3 3 4 4 5 5 5 5 5: Q1 at 2.25 -> 3 + 0.25 * (4 - 3) = 3.25; Q3 at 6.75 -> 5;
    # IQR 1.75 > 1 although 7/10 agree.
    values = [3, 3, 3, 4, 4, 5, 5, 5, 5, 5]
    assert verdict_of(values) == NO_CONSENSUS
    assert verdict_of(values, max_iqr=1.75) == CONSENSUS
    assert verdict_of(values, max_iqr=1.75, min_share=0.8) == NO_CONSENSUS


def test_verdict_consensus_against_and_dissensus():
    # 1 1 2 2 2 3: disagree 5/6; Q1 at 1.25 -> 1.25, Q3 at 3.75 -> 2; IQR 0.75.
    assert verdict_of([1, 1, 2, 2, 2, 3]) == CONSENSUS_AGAINST
    # 1 1 2 4 5 5: agree 1/2 and disagree 1/2 -> two camps.
    assert verdict_of([1, 1, 2, 4, 5, 5]) == DISSENSUS
    # 1 1 1 4 4 4 4 4 4 4: agree 0.7, but Q1 = 1 + 0.25 * 3 = 1.75, Q3 = 4, IQR 2.25 > 1,
    # and 0.3 disagree -> polarised, not consensus.
    assert verdict_of([1, 1, 1, 4, 4, 4, 4, 4, 4, 4]) == DISSENSUS
    # Mostly neutral: neither a supermajority nor two camps.
    assert verdict_of([3, 3, 3, 3, 4, 2]) == NO_CONSENSUS


def test_verdict_for_unrated_item_is_no_consensus():
    assert verdict_of([np.nan, np.nan]) == NO_CONSENSUS


@pytest.mark.parametrize(
    "kw", [{"min_share": 0.5}, {"min_share": 1.1}, {"polar_share": 0.0}, {"polar_share": 0.6}]
)
def test_verdict_rejects_incoherent_thresholds(kw):
    with pytest.raises(ValueError, match="polar_share"):
        verdict_of([4, 4, 4], **kw)


# --- rating_stability -------------------------------------------------------------------------


def test_stability_by_hand():
    # Round 1 (n=5): 1:0 2:1 3:2 4:2 5:0 -> 0, .2, .4, .4, 0
    # Round 2 (n=4): 1:0 2:0 3:1 4:2 5:1 -> 0, 0, .25, .5, .25
    # |diff| = .2 + .15 + .1 + .25 = .7; half = .35 -> 35 % of the panel moved, unstable.
    res = rating_stability([2, 3, 3, 4, 4], [3, 4, 4, 5, np.nan])
    assert res.change == pytest.approx(0.35)
    assert res.mean_change == pytest.approx(4.0 - 3.2)
    # IQR: round 1 Q1 = 3, Q3 = 4 -> 1; round 2 Q1 = 3.75, Q3 = 4.25 -> 0.5.
    assert res.iqr_change == pytest.approx(-0.5)
    assert res.stable is False


def test_stability_threshold_is_inclusive():
    # One of ten moves from 4 to 5: change 0.1.
    before = [4] * 10
    after = [4] * 9 + [5]
    assert rating_stability(before, after).stable is True
    assert rating_stability(before, after, threshold=0.1).stable is True
    assert rating_stability(before, after, threshold=0.05).stable is False


def test_stability_extremes_and_errors():
    assert rating_stability([1, 2, 3], [3, 2, 1]).change == 0.0
    assert rating_stability([1, 1], [5, 5, 5]).change == 1.0
    with pytest.raises(ValueError, match="each round"):
        rating_stability([np.nan], [3])
    with pytest.raises(ValueError, match="1-5"):
        rating_stability([7], [3])


@quick
@given(
    st.lists(st.integers(1, 5), min_size=1, max_size=30),
    st.lists(st.integers(1, 5), min_size=1, max_size=30),
)
def test_stability_change_is_a_symmetric_share(a, b):
    forward, backward = rating_stability(a, b), rating_stability(b, a)
    assert 0.0 <= forward.change <= 1.0 + 1e-12
    assert forward.change == pytest.approx(backward.change)
    assert forward.mean_change == pytest.approx(-backward.mean_change)
