"""Consensus statistics of Likert ratings in Delphi rounds: summaries, verdicts, stability.

Rankings and points live in :mod:`analysis.rankings`. Pure functions (arrays are
``participants x items``) so every number can be checked against hand calculations and SciPy;
frozen results so a view cannot alter a statistic afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

CONSENSUS, CONSENSUS_AGAINST = "consensus", "consensus against"
DISSENSUS, NO_CONSENSUS = "dissensus", "no consensus"
_NAN = float("nan")


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
