"""Agreement statistics for ranking and points questions in Delphi rounds.

Kendall's W over rankings, Borda scores and budget shares: pure functions (arrays are
``participants x items``) checked against hand calculations and SciPy, with frozen results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

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
