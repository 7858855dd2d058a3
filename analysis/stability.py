"""Keep theme identities stable when the analysis is run again.

Consultants rename, merge and publish themes, so a re-run (after late contributions, or with
other settings) must not reshuffle them. :func:`match_themes` maps the new run's clusters onto
the earlier themes by the documents they share: the Hungarian algorithm pairs clusters and
themes with the largest Jaccard overlap, and shares of members moved tell splits and merges
apart. It is pure: membership in, plain :class:`~analysis.types.ThemeChange` records out.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from analysis.types import ThemeChange


def match_themes(
    previous: Mapping[int, Collection[Hashable]],
    current: Sequence[Collection[Hashable]],
    *,
    min_share: float = 0.25,
    tolerance: float = 0.1,
) -> tuple[ThemeChange, ...]:
    """Give each new cluster a stable theme id and say how it changed.

    Parameters
    ----------
    previous : mapping of int to collection
        Earlier themes: theme id to member document ids.
    current : sequence of collections
        Member document ids of each cluster of the new run.
    min_share : float, default=0.25
        A theme and a cluster are *linked* when at least this share of the theme moved into the
        cluster and makes up at least this share of the cluster. A cluster linked to two or more
        themes is ``"merged"``; clusters linked to one theme that is linked to several clusters
        are ``"split"``.
    tolerance : float, default=0.1
        Relative change of size within which a matched theme counts as ``"unchanged"`` rather
        than ``"grown"`` or ``"shrunk"``.

    Returns
    -------
    tuple of ThemeChange
        One change per cluster, in cluster order, then one ``"gone"`` change per earlier theme
        linked to no cluster. New clusters get ids above every earlier id; of several pieces
        of a split or sources of a merge, the pair with the largest overlap keeps the old id.

    Examples
    --------
    >>> changes = match_themes({7: {1, 2, 3, 4}, 8: {5, 6}}, [{1, 2, 3, 4, 9}, {10, 11}])
    >>> [(change.theme_id, change.kind, change.previous_ids) for change in changes]
    [(7, 'grown', (7,)), (9, 'new', ()), (8, 'gone', (8,))]
    """
    previous_ids = list(previous)
    old = [set(members) for members in previous.values()]
    new = [set(members) for members in current]
    overlap = _overlap(old, new)
    old_sizes = np.array([len(a) for a in old], dtype=float).reshape(-1, 1)
    new_sizes = np.array([len(b) for b in new], dtype=float).reshape(1, -1)
    linked = (overlap > 0) & (overlap >= min_share * old_sizes) & (overlap >= min_share * new_sizes)
    matched = _matched(overlap, old_sizes + new_sizes - overlap, linked)
    changes, next_id = [], max(previous_ids, default=-1) + 1
    for cluster in range(len(new)):
        sources = np.flatnonzero(linked[:, cluster])
        source = matched.get(cluster)
        theme_id = next_id if source is None else previous_ids[source]
        next_id += source is None
        kind = _kind(cluster, sources, linked, matched, new_sizes, old_sizes, tolerance)
        previous_size = 0 if source is None else len(old[source])
        from_ids = tuple(previous_ids[i] for i in sources)
        changes.append(
            ThemeChange(theme_id, kind, cluster, from_ids, len(new[cluster]), previous_size)
        )
    return tuple(changes + _gone(previous_ids, old, linked))


def _overlap(old: list[set], new: list[set]) -> np.ndarray:
    """Documents shared by each earlier theme (rows) and each new cluster (columns)."""
    overlap = np.zeros((len(old), len(new)))
    for row, members in enumerate(old):
        overlap[row] = [len(members & cluster) for cluster in new]
    return overlap


def _gone(previous_ids: list, old: list[set], linked: np.ndarray) -> list[ThemeChange]:
    """A ``"gone"`` change for each earlier theme linked to no cluster."""
    gone = np.flatnonzero(~linked.any(axis=1))
    return [
        ThemeChange(previous_ids[i], "gone", None, (previous_ids[i],), 0, len(old[i])) for i in gone
    ]


def _matched(overlap: np.ndarray, union: np.ndarray, linked: np.ndarray) -> dict[int, int]:
    """Pair clusters with earlier themes one to one by largest Jaccard overlap, if linked."""
    jaccard = overlap / np.maximum(union, 1)
    rows, columns = linear_sum_assignment(-jaccard)
    return {int(c): int(r) for r, c in zip(rows, columns, strict=True) if linked[r, c]}


def _kind(cluster, sources, linked, matched, new_sizes, old_sizes, tolerance) -> str:
    if len(sources) >= 2:
        return "merged"
    if len(sources) == 1 and linked[sources[0]].sum() >= 2:
        return "split"
    if cluster not in matched:
        return "new"
    ratio = new_sizes[0, cluster] / max(old_sizes[matched[cluster], 0], 1)
    if ratio > 1 + tolerance:
        return "grown"
    if ratio < 1 - tolerance:
        return "shrunk"
    return "unchanged"
