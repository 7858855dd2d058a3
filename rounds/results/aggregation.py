"""Each kind's answers aggregated with ``analysis.consensus``, small groups hidden.

The statistics themselves live in ``analysis.consensus`` and ``analysis.rankings``; this module
turns stored answers into their matrices and applies the anonymity rule to what comes back: an
item, a round or a breakdown group with fewer distinct authors than the dialogue's
``min_group_size`` shows no numbers at all.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from flask_babel import lazy_gettext as _l

from analysis.consensus import Stability, consensus_verdict, rating_stability, rating_summary
from analysis.rankings import kendalls_w, points_summary, ranking_summary, ranks_from_top_k
from dialogue.core.models import Round
from rounds.items import Item
from rounds.results.records import ItemResult, RoundResults, suppressed_items
from rounds.results.segments import breakdowns
from rounds.results.visible import count_visible, visible_authors, visible_contributions


def _shown(count: int, min_size: int) -> int | None:
    return count if count >= min_size else None


def participation_results(
    round_: Round,
    segments: Mapping[str, Mapping[str, str]] | None,
    contributions: Sequence[Any] | None = None,
) -> RoundResults:
    """Only how many took part: the result of kinds whose answers are open text.

    Counted by the database (distinct authors and rows), not by loading every contribution.
    """
    if contributions is None:
        authors = dict.fromkeys(visible_authors(round_), True)
        comments = count_visible(round_)
    else:
        authors = {row.author: True for row in contributions}
        comments = len(contributions)
    k = round_.dialogue.min_group_size
    return RoundResults(
        round_id=round_.id,
        kind=round_.kind.value,
        min_group_size=k,
        respondents=_shown(len(authors), k),
        breakdowns=breakdowns(authors, segments, k) if len(authors) >= k else (),
        comments=comments,
    )


def ranking_results(
    round_: Round,
    items: Sequence[Item],
    answers: Mapping[str, Sequence[str]],
    segments: Mapping[str, Mapping[str, str]] | None,
    *,
    top: int,
    comments: int = 0,
) -> RoundResults:
    """Borda score, mean rank, top share and Kendall's W of "rank your top k" answers.

    An unranked item shares the remaining places (``ranks_from_top_k``), so rankings of
    different lengths stay comparable. Every respondent ranks every item that way, so one
    threshold – the number of respondents – decides whether anything is shown.
    """
    k = round_.dialogue.min_group_size
    index = {item.key: i for i, item in enumerate(items)}
    authors = sorted(answers)
    base = {"round_id": round_.id, "kind": round_.kind.value, "min_group_size": k}
    base |= {"method": "rank", "top": top, "comments": comments, "value_label": _l("mean rank")}
    if len(authors) < k or not items:
        return RoundResults(respondents=None, items=suppressed_items(items), **base)

    def rank_matrix(subset: Sequence[str]) -> np.ndarray:
        return np.array(
            [ranks_from_top_k([index[key] for key in answers[a]], len(items)) for a in subset]
        )

    ranks = rank_matrix(authors)
    summary = ranking_summary(ranks, top=top)
    kendall = kendalls_w(ranks) if len(items) >= 2 else None
    results = tuple(
        ItemResult(item.key, item.label, len(authors), ranking=stat)
        for item, stat in zip(items, summary, strict=True)
    )

    def group_values(subset: list[str]) -> dict[str, float]:
        means = rank_matrix(subset).mean(axis=0)
        return {item.key: float(mean) for item, mean in zip(items, means, strict=True)}

    order = sorted(results, key=lambda r: (-r.ranking.borda, r.ranking.mean_rank, r.label))
    return RoundResults(
        respondents=len(authors),
        items=results,
        kendall=kendall,
        breakdowns=breakdowns(answers, segments, k, group_values),
        order=tuple(r.key for r in order),
        **base,
    )


def points_results(
    round_: Round,
    items: Sequence[Item],
    answers: Mapping[str, Mapping[str, int]],
    segments: Mapping[str, Mapping[str, str]] | None,
    *,
    budget: int,
    comments: int = 0,
) -> RoundResults:
    """Total, mean and share of the budget per item of "allocate your points" answers."""
    k = round_.dialogue.min_group_size
    authors = sorted(answers)
    base = {"round_id": round_.id, "kind": round_.kind.value, "min_group_size": k}
    base |= {"method": "points", "budget": budget, "comments": comments}
    base["value_label"] = _l("mean points")
    if len(authors) < k or not items:
        return RoundResults(respondents=None, items=suppressed_items(items), **base)

    def matrix(subset: Sequence[str]) -> np.ndarray:
        return np.array([[answers[a].get(item.key, 0) for item in items] for a in subset])

    summary = points_summary(matrix(authors), budget=budget)
    results = tuple(
        ItemResult(item.key, item.label, len(authors), points=stat)
        for item, stat in zip(items, summary, strict=True)
    )

    def group_values(subset: list[str]) -> dict[str, float]:
        means = matrix(subset).mean(axis=0)
        return {item.key: float(mean) for item, mean in zip(items, means, strict=True)}

    order = sorted(results, key=lambda r: (-r.points.total, r.label))
    return RoundResults(
        respondents=len(authors),
        items=results,
        breakdowns=breakdowns(answers, segments, k, group_values),
        order=tuple(r.key for r in order),
        **base,
    )


def rating_results(
    round_: Round,
    items: Sequence[Item],
    answers: Mapping[str, Mapping[str, int]],
    segments: Mapping[str, Mapping[str, str]] | None,
    *,
    thresholds: Mapping[str, float],
    before: Mapping[str, Mapping[str, int]] | None = None,
    comments: int = 0,
) -> RoundResults:
    """Median, IQR, shares agreeing and disagreeing, verdict and stability of 1–5 ratings.

    Each item stands on its own: people may skip items, so an item with fewer raters than the
    threshold is hidden even when the round as a whole is shown. ``before`` holds the ratings of
    an earlier round with the same items, for the stability of each item between the two.
    """
    k = round_.dialogue.min_group_size
    authors = sorted(answers)
    base = {"round_id": round_.id, "kind": round_.kind.value, "min_group_size": k}
    base |= {"method": "rate", "comments": comments, "value_label": _l("mean rating")}
    if len(authors) < k or not items:
        return RoundResults(respondents=None, items=suppressed_items(items), **base)

    def matrix(subset: Sequence[str]) -> np.ndarray:
        return np.array(
            [[answers[a].get(item.key, np.nan) for item in items] for a in subset], dtype=float
        )

    ratings = matrix(authors)
    summary = rating_summary(ratings)
    results = []
    for column, item, stat in zip(ratings.T, items, summary, strict=True):
        if stat.n < k:
            results.append(ItemResult(item.key, item.label, None))
            continue
        seen = column[~np.isnan(column)].astype(int)
        distribution = tuple(int(c) for c in np.bincount(seen, minlength=6)[1:])
        results.append(
            ItemResult(
                item.key,
                item.label,
                stat.n,
                ratings=stat,
                distribution=distribution,
                verdict=consensus_verdict(stat, **thresholds),
                stability=_stability(item.key, seen, before, k),
                changed=_changed(answers, before, k, [item.key]),
            )
        )

    def group_values(subset: list[str]) -> dict[str, float | None]:
        group = matrix(subset)
        values = {}
        for item, column in zip(items, group.T, strict=True):
            seen = column[~np.isnan(column)]
            values[item.key] = float(seen.mean()) if seen.size >= k else None
        return values

    shown = [r for r in results if not r.suppressed]
    order = sorted(shown, key=lambda r: (-r.ratings.mean, -r.ratings.share_agree, r.label))
    return RoundResults(
        respondents=len(authors),
        items=tuple(results),
        breakdowns=breakdowns(answers, segments, k, group_values),
        order=tuple(r.key for r in order),
        changed=_changed(answers, before, k, [item.key for item in items]),
        **base,
    )


def _changed(answers, before, k: int, keys: Sequence[str]) -> float | None:
    """The share of people who rated any of ``keys`` in both rounds and changed such a rating.

    People are paired by pseudonym only, the one link between their answers that the rounds
    keep; fewer than ``k`` such people give no share, as it would tell about too few.
    """
    if not before:
        return None
    paired = changed = 0
    for author, ratings in answers.items():
        earlier = before.get(author, {})
        common = [key for key in keys if key in ratings and key in earlier]
        if common:
            paired += 1
            changed += any(ratings[key] != earlier[key] for key in common)
    return changed / paired if paired >= k else None


def _stability(key: str, after: np.ndarray, before, k: int) -> Stability | None:
    """Stability of one item against the earlier round, if both rounds showed it."""
    if not before:
        return None
    earlier = [ratings[key] for ratings in before.values() if key in ratings]
    if len(earlier) < k or after.size < k:
        return None
    return rating_stability(earlier, after)


def text_results(
    round_: Round,
    items: Sequence[Item],
    aspects: Sequence[tuple[str, Any]],
    segments: Mapping[str, Mapping[str, str]] | None,
) -> RoundResults:
    """How many wrote how many texts per item and aspect; the texts are for the consultant."""
    k = round_.dialogue.min_group_size
    rows = [row for row in visible_contributions(round_) if row.body]
    per_item: dict[str, set[str]] = defaultdict(set)
    per_aspect: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        per_item[row.target].add(row.author)
        per_aspect[row.target][(row.data or {}).get("aspect")] += 1
    authors = {row.author: True for row in rows}
    results = tuple(
        ItemResult(item.key, item.label, None)
        if len(per_item[item.key]) < k
        else ItemResult(
            item.key,
            item.label,
            len(per_item[item.key]),
            texts={name: per_aspect[item.key][name] for name, _label in aspects},
        )
        for item in items
    )
    shown = len(authors) >= k
    return RoundResults(
        round_id=round_.id,
        kind=round_.kind.value,
        min_group_size=k,
        respondents=_shown(len(authors), k),
        items=results if shown else suppressed_items(items),
        breakdowns=breakdowns(authors, segments, k) if shown else (),
        comments=len(rows),
        aspects=tuple(aspects),
    )
