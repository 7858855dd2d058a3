"""Agreement and consensus statistics for Delphi rounds.

Pure functions (arrays are ``participants x items``) so every number can be checked against
hand calculations and SciPy; frozen results so a view cannot alter a statistic afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

CONSENSUS, CONSENSUS_AGAINST = "consensus", "consensus against"
DISSENSUS, NO_CONSENSUS = "dissensus", "no consensus"
_NAN = float("nan")


@dataclass(frozen=True)
class KendallW:
    """Kendall's coefficient of concordance with its chi-square test."""

    w: float
    chi2: float
    p_value: float
    n_raters: int
    n_items: int


@dataclass(frozen=True)
class ItemRanking:
    """One item across all rankings: Borda score, mean rank, share in the top."""

    borda: float
    mean_rank: float
    top_share: float


@dataclass(frozen=True)
class ItemPoints:
    """One item in a points allocation: total, mean per participant, budget share."""

    total: float
    mean: float
    budget_share: float


@dataclass(frozen=True)
class ItemRatings:
    """One item's Likert (1-5) ratings; NaN statistics when ``n == 0``."""

    n: int
    mean: float
    median: float
    iqr: float
    share_agree: float
    share_disagree: float


@dataclass(frozen=True)
class Stability:
    """Change of one item's ratings between two rounds (later minus earlier)."""

    change: float
    mean_change: float
    iqr_change: float
    stable: bool


def _check_ranks(ranks: ArrayLike) -> np.ndarray:
    """Return a complete rank matrix as canonical average ranks, or raise ValueError."""
    r = np.asarray(ranks, dtype=float)
    if r.ndim != 2 or r.size == 0:
        raise ValueError("ranks must be a non-empty 2-D array (participants x items)")
    if np.isnan(r).any():
        raise ValueError("ranks contain NaN; turn partial rankings into full rows first")
    canonical = stats.rankdata(r, axis=1)
    if not np.allclose(canonical, r):  # a valid row equals its own average ranks
        raise ValueError("each row must rank the items 1..n, tied items sharing the mean rank")
    return canonical


def ranks_from_top_k(choices: Sequence[int], n_items: int) -> np.ndarray:
    """Turn an ordered "top k" choice into a full rank row.

    Participants usually rank only their favourites.  Giving the other items the average of ranks
    k+1..n says "no preference among these" instead of inventing an order, and keeps Kendall's W and
    Friedman's test applicable.

    Parameters
    ----------
    choices : sequence of int
        Distinct 0-based item indices, best first; may be empty.
    n_items : int
        Number of items in the question.

    Returns
    -------
    numpy.ndarray
        Float ranks of length ``n_items`` (1 = first).

    Examples
    --------
    >>> ranks_from_top_k([2, 0], 5).tolist()
    [2.0, 4.0, 1.0, 4.0, 4.0]
    """
    picks = [int(c) for c in choices]
    if n_items < 1:
        raise ValueError("n_items must be at least 1")
    if len(set(picks)) != len(picks) or any(not 0 <= c < n_items for c in picks):
        raise ValueError("choices must be distinct item indices in range(n_items)")
    row = np.full(n_items, (len(picks) + 1 + n_items) / 2)
    row[picks] = np.arange(1, len(picks) + 1, dtype=float)
    return row


def kendalls_w(ranks: ArrayLike) -> KendallW:
    """Kendall's W, tie-corrected, with its chi-square statistic and p-value.

    W says how far the panel agrees on one ordering (1 = identical rankings, 0 = no common order).
    With m raters, n items, column rank sums R and ``T_j = sum(t^3 - t)`` over rater j's tie groups
    (Kendall & Babington Smith 1939): ``W = 12 sum (R - mean R)^2 / (m^2 (n^3 - n) - m sum T_j)``.
    ``chi2 = m (n - 1) W`` equals Friedman's tie-corrected statistic; its p-value uses chi-square
    with n - 1 df, a large-sample approximation.

    Parameters
    ----------
    ranks : array_like
        ``m x n`` ranks, 1 = first, ties as average ranks (see :func:`ranks_from_top_k`).  NaN is
        refused: W needs full rows.

    Returns
    -------
    KendallW
        ``w``, ``chi2`` and ``p_value`` are NaN when every rater ties every item, as there is then
        no ordering to agree on.

    Raises
    ------
    ValueError
        Fewer than two raters or items, NaN, or a row that is not a ranking.

    Examples
    --------
    >>> res = kendalls_w([[1, 2, 3], [1, 3, 2], [1, 2, 3]])
    >>> round(res.w, 4), round(res.chi2, 4), round(res.p_value, 4)
    (0.7778, 4.6667, 0.097)
    """
    r = _check_ranks(ranks)
    m, n = r.shape
    if m < 2 or n < 2:
        raise ValueError("Kendall's W needs at least two raters and two items")
    col = r.sum(axis=0)
    s = float(((col - col.mean()) ** 2).sum())
    sizes = [np.unique(row, return_counts=True)[1] for row in r]
    ties = sum(float((t**3 - t).sum()) for t in sizes)
    denom = m**2 * (n**3 - n) - m * ties
    if denom <= 0:
        return KendallW(_NAN, _NAN, _NAN, m, n)
    w = min(12 * s / denom, 1.0)  # W <= 1 by Cauchy-Schwarz; clip rounding error
    chi2 = m * (n - 1) * w
    return KendallW(w, chi2, float(stats.chi2.sf(chi2, n - 1)), m, n)


def ranking_summary(ranks: ArrayLike, top: int = 3) -> tuple[ItemRanking, ...]:
    """Borda score, mean rank and share of participants ranking each item in the top.

    Borda (``n - rank`` points: n - 1 for first, 0 for last) rewards broad support; the top share
    shows intense support.  A tied block whose average rank exceeds ``top`` does not count as in the
    top.

    Parameters
    ----------
    ranks : array_like
        ``m x n`` complete rank rows as for :func:`kendalls_w`.
    top : int, default 3
        Cut-off rank for ``top_share``.

    Returns
    -------
    tuple of ItemRanking
        One per item, in column order.

    Examples
    --------
    >>> ranking_summary([[1, 2, 3], [2, 1, 3]])[0]
    ItemRanking(borda=3.0, mean_rank=1.5, top_share=1.0)
    """
    r = _check_ranks(ranks)
    cols = zip((r.shape[1] - r).sum(axis=0), r.mean(axis=0), (r <= top).mean(axis=0), strict=True)
    return tuple(ItemRanking(float(b), float(mr), float(t)) for b, mr, t in cols)


def points_summary(points: ArrayLike, budget: float | None = None) -> tuple[ItemPoints, ...]:
    """Total, mean and budget share of each item in a points allocation.

    Parameters
    ----------
    points : array_like
        ``m x n`` non-negative points, one row per participant.
    budget : float, optional
        Points each participant could spend.  If given, ``budget_share`` is the share of the whole
        budget ``m * budget``, so unspent points show; otherwise the share of the points actually
        spent.  NaN if that is 0.

    Returns
    -------
    tuple of ItemPoints
        One per item, in column order.

    Examples
    --------
    >>> points_summary([[60, 40], [20, 60]], budget=100)[0]
    ItemPoints(total=80.0, mean=40.0, budget_share=0.4)
    """
    p = np.asarray(points, dtype=float)
    if p.ndim != 2 or p.size == 0 or np.isnan(p).any() or (p < 0).any():
        raise ValueError("points must be a non-empty 2-D array of non-negative numbers")
    totals = p.sum(axis=0)
    whole = float(p.sum()) if budget is None else float(budget) * p.shape[0]
    shares = totals / whole if whole > 0 else np.full_like(totals, np.nan)
    cols = zip(totals, p.mean(axis=0), shares, strict=True)
    return tuple(ItemPoints(float(t), float(mn), float(s)) for t, mn, s in cols)


def _valid_ratings(values: np.ndarray) -> np.ndarray:
    """Drop NaN ("not rated") and refuse anything off the 1-5 scale."""
    seen = values[~np.isnan(values)]
    if not np.isin(seen, [1, 2, 3, 4, 5]).all():
        raise ValueError("ratings must be integers 1-5 or NaN")
    return seen


def _rate(v: np.ndarray) -> ItemRatings:
    """Summarise one item's valid ratings."""
    if v.size == 0:
        return ItemRatings(0, _NAN, _NAN, _NAN, _NAN, _NAN)
    q1, med, q3 = np.percentile(v, [25, 50, 75], method="linear")
    agree, disagree = float((v >= 4).mean()), float((v <= 2).mean())
    return ItemRatings(int(v.size), float(v.mean()), float(med), float(q3 - q1), agree, disagree)


def rating_summary(ratings: ArrayLike) -> tuple[ItemRatings, ...]:
    """Per-item n, mean, median, IQR and shares agreeing (4-5) and disagreeing (1-2).

    Likert answers are ordinal, so Delphi reports median and IQR; the mean is extra.  Quartiles use
    numpy's ``"linear"`` method (Hyndman & Fan type 7, the default of R and Excel's QUARTILE.INC) so
    numbers match common tools.

    Parameters
    ----------
    ratings : array_like
        ``m x n`` ratings in {1, ..., 5}; NaN means "not rated" and is skipped.

    Returns
    -------
    tuple of ItemRatings
        One per item; an item nobody rated has ``n == 0`` and NaN statistics.

    Examples
    --------
    >>> rating_summary([[4], [5], [2], [4]])[0]  # Q1 = 2+0.75*2, Q3 = 4+0.25*1
    ItemRatings(n=4, mean=3.75, median=4.0, iqr=0.75, share_agree=0.75, share_disagree=0.25)
    """
    x = np.asarray(ratings, dtype=float)
    if x.ndim != 2:
        raise ValueError("ratings must be a 2-D array (participants x items)")
    return tuple(_rate(_valid_ratings(col)) for col in x.T)


def consensus_verdict(
    item: ItemRatings, max_iqr: float = 1.0, min_share: float = 0.70, polar_share: float = 0.30
) -> str:
    """Classify an item as consensus, consensus against, dissensus or no consensus.

    Delphi studies commonly require answers that are both concentrated (small IQR) and lopsided (a
    supermajority on one side); see von der Gracht (2012), Technol. Forecast. Soc. Change 79,
    1525-1536.  Rules, in order: ``CONSENSUS`` if IQR <= ``max_iqr`` and share agreeing >=
    ``min_share``; ``CONSENSUS_AGAINST`` likewise with the share disagreeing; ``DISSENSUS`` if both
    shares are >= ``polar_share`` (the panel splits into camps); otherwise ``NO_CONSENSUS``, which
    includes an item nobody rated.

    Parameters
    ----------
    item : ItemRatings
        From :func:`rating_summary`.
    max_iqr, min_share, polar_share : float
        Thresholds; need ``0 < polar_share <= 0.5 < min_share <= 1``.

    Returns
    -------
    str
        One of the four module constants.

    Examples
    --------
    >>> consensus_verdict(rating_summary([[4], [5], [4], [4], [3]])[0])
    'consensus'
    """
    if not 0 < polar_share <= 0.5 < min_share <= 1:
        raise ValueError("need 0 < polar_share <= 0.5 < min_share <= 1")
    if item.iqr <= max_iqr and item.share_agree >= min_share:
        return CONSENSUS
    if item.iqr <= max_iqr and item.share_disagree >= min_share:
        return CONSENSUS_AGAINST
    if item.share_agree >= polar_share and item.share_disagree >= polar_share:
        return DISSENSUS
    return NO_CONSENSUS


def rating_stability(before: ArrayLike, after: ArrayLike, threshold: float = 0.15) -> Stability:
    """Percentage-change stability of one item's ratings between two rounds.

    Scheibe, Skutsch & Schofer (1975), "Experiments in Delphi methodology", in Linstone & Turoff
    (eds.), The Delphi Method: the change is half the summed absolute difference of the rounds'
    relative frequencies over 1-5, i.e. the least share of the panel that must move to turn one
    distribution into the other; 15% or less counts as stable.  Unlike Wilcoxon's signed-rank test
    it needs no pairing of participants, which anonymous rounds lack.

    Parameters
    ----------
    before, after : array_like
        One item's ratings (1-5) in the earlier and later round; NaN skipped.
    threshold : float, default 0.15
        Largest change still called stable.

    Returns
    -------
    Stability
        ``change`` in [0, 1], ``mean_change`` and ``iqr_change`` (later minus earlier), and
        ``stable``.

    Examples
    --------
    >>> rating_stability([3, 4, 4, 5], [4, 4, 4, 5])  # one 3 of four moved to 4
    Stability(change=0.25, mean_change=0.25, iqr_change=-0.25, stable=False)
    """
    a, b = (_valid_ratings(np.ravel(np.asarray(x, dtype=float))) for x in (before, after))
    if a.size == 0 or b.size == 0:
        raise ValueError("each round needs at least one rating")
    fa, fb = (np.bincount(v.astype(int), minlength=6) / v.size for v in (a, b))
    change = float(np.abs(fa - fb).sum() / 2)
    ra, rb = _rate(a), _rate(b)
    return Stability(change, rb.mean - ra.mean, rb.iqr - ra.iqr, change <= threshold)


def suppress_small_groups(
    counts_by_group: Mapping[str, int], min_size: int = 5, show_total: bool = True
) -> tuple[dict[str, int | None], int | None]:
    """Hide breakdown groups too small to keep their authors anonymous.

    Groups with fewer than ``min_size`` distinct authors become None.  While the total is shown,
    the hidden groups together equal the total minus the visible ones, so they must add up to at
    least ``min_size`` too: the smallest visible groups (ties by name) are hidden until they do.
    The total is None when below ``min_size`` or not shown, which also protects a breakdown
    consisting of one small group.  Groups that overlap across dimensions need more
    (``analysis.suppression``).

    Parameters
    ----------
    counts_by_group : mapping of str to int
        Distinct authors per group (department, role, ...).
    min_size : int, default 5
        Smallest publishable group; below 3 is refused.
    show_total : bool, default True
        Whether the total is displayed alongside the groups.

    Returns
    -------
    tuple of (dict, int or None)
        Each group's count or None if suppressed, and the total or None.

    Examples
    --------
    >>> suppress_small_groups({"A": 2, "B": 7, "C": 9, "D": 12})
    ({'A': None, 'B': None, 'C': 9, 'D': 12}, 30)
    """
    if min_size < 3:
        raise ValueError("min_size below 3 would expose individuals; use 3 or more")
    if any(int(c) != c or c < 0 for c in counts_by_group.values()):
        raise ValueError("counts must be non-negative integers")
    shown = {g: (int(c) if c >= min_size else None) for g, c in counts_by_group.items()}
    total = int(sum(counts_by_group.values()))
    total_shown = show_total and total >= min_size
    visible = sorted((c, g) for g, c in shown.items() if c is not None)
    hidden = total - sum(c for c, _g in visible)
    while total_shown and visible and len(visible) < len(shown) and hidden < min_size:
        count, group = visible.pop(0)
        shown[group] = None
        hidden += count
    return shown, (total if total_shown else None)
