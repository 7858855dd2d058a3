"""Which breakdown groups may be shown when groups of several dimensions overlap.

``suppress_small_groups`` protects one dimension from "total minus the others". Two
dimensions shown side by side leak more: a department of 6 whose 5 leaders are all the
dialogue's leaders shows, as department minus leaders, the one non-leader's answer. So the
groups of every dimension are checked together, as sets of the same people:

- a group with fewer than ``min_size`` members is hidden;
- in each dimension, the hidden groups together (the total minus the visible groups) hold
  none or at least ``min_size`` members;
- no two visible sets – groups of any dimension, and the total – differ by 1 to
  ``min_size - 1`` members (their symmetric difference), so that neither is the other plus or
  minus a small group;
- optionally, a group whose whole population (say, everyone invited) is known is hidden when
  fewer than ``min_size`` of that population are outside it: "6 invited, 6 took part" says that
  every one of the 6 did.

Hiding is repeated until every rule holds; each step hides the smallest group involved (ties by
dimension and name), so the result is the same for the same input.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Set
from itertools import combinations

Group = tuple[str, Hashable]


def shown_groups(
    dimensions: Mapping[str, Mapping[Hashable, Set]],
    total: Set,
    min_size: int,
    *,
    population: Mapping[str, Mapping[Hashable, int]] | None = None,
) -> dict[str, set[Hashable]]:
    """The names of the groups that may be shown, per dimension.

    Parameters
    ----------
    dimensions : mapping of dimension → group name → members
        Each dimension's groups are disjoint subsets of ``total``.
    total : set
        Everyone counted; it is shown (as the overall figure) whatever this returns.
    min_size : int
        The smallest group that may be shown or derived; below 3 is refused.
    population : mapping of dimension → group name → int, optional
        How many the group could have held (e.g. invited); a group is hidden when fewer than
        ``min_size`` of them are not among its members.
    """
    if min_size < 3:
        raise ValueError("min_size below 3 would expose individuals; use 3 or more")
    sets: dict[Group, frozenset] = {
        (dimension, name): frozenset(members)
        for dimension, groups in dimensions.items()
        for name, members in groups.items()
    }
    everyone = frozenset(total)
    hidden = _too_small(sets, min_size, population or {})
    overlap = _overlaps(sets)

    def order(group: Group) -> tuple:
        return (len(sets[group]), group[0], str(group[1]))

    while True:
        visible = sorted((g for g in sets if g not in hidden), key=order)
        victim = _complement_victim(dimensions, sets, everyone, visible, hidden, min_size, order)
        if victim is None:
            victim = _overlap_victim(sets, everyone, visible, min_size, overlap)
        if victim is None:
            break
        hidden.add(victim)
    shown: dict[str, set[Hashable]] = {dimension: set() for dimension in dimensions}
    for dimension, name in sets:
        if (dimension, name) not in hidden:
            shown[dimension].add(name)
    return shown


#: Why a hidden group is hidden, as readers are told (see :func:`why_hidden`).
SMALL, PROTECTS = "small", "protects"


def why_hidden(size: int, min_size: int, population: int | None = None) -> str:
    """Why a hidden group of ``size`` members is hidden, as far as readers may be told.

    ``SMALL``: it has fewer than ``min_size`` members. ``PROTECTS``: it is large enough itself
    and hidden so that a smaller group cannot be worked out from it (complementary
    suppression). "" where it is hidden because nearly all of its ``population`` are in it:
    saying that it is not small would say that nearly everyone took part.
    """
    if size < min_size:
        return SMALL
    if population is not None and population - size < min_size:
        return ""
    return PROTECTS


def _too_small(sets, min_size, population) -> set[Group]:
    """Groups below ``min_size``, and those with fewer than that outside them."""
    hidden = set()
    for group, members in sets.items():
        outside = population.get(group[0], {}).get(group[1])
        if len(members) < min_size or (outside is not None and outside - len(members) < min_size):
            hidden.add(group)
    return hidden


def _overlaps(sets):
    """``overlap(a, b)``: how many members two groups share, counted in one pass."""
    pairs = Counter()
    placed: dict[Hashable, list[Group]] = {}
    for group, members in sets.items():
        for member in members:
            placed.setdefault(member, []).append(group)
    for groups in placed.values():
        for first, second in combinations(sorted(groups, key=str), 2):
            pairs[first, second] += 1

    def overlap(first: Group, second: Group) -> int:
        key = (first, second) if str(first) <= str(second) else (second, first)
        return pairs[key]

    return overlap


def _complement_victim(dimensions, sets, everyone, visible, hidden, min_size, order):
    """The smallest visible group of a dimension whose hidden rest is 1 to k-1 people."""
    for dimension in dimensions:
        mine = [g for g in visible if g[0] == dimension]
        rest = len(everyone) - sum(len(sets[g]) for g in mine)
        if mine and 0 < rest < min_size:
            return min(mine, key=order)
        if mine and rest == 0 and any(g[0] == dimension for g in hidden):
            return min(mine, key=order)  # the hidden groups are shown to be empty
    return None


def _overlap_victim(sets, everyone, visible, min_size, overlap):
    """The smaller of the first two visible sets (or a set and the total) too close to each other.

    ``|A △ B| = |A| + |B| - 2|A ∩ B|``; groups of one dimension are disjoint (at least 2k apart
    once shown), and groups whose sizes alone differ by k or more need no look at all.
    """
    for group in visible:
        if 0 < len(everyone) - len(sets[group]) < min_size:
            return group
    for first, second in combinations(visible, 2):
        if first[0] == second[0] or abs(len(sets[first]) - len(sets[second])) >= min_size:
            continue
        apart = len(sets[first]) + len(sets[second]) - 2 * overlap(first, second)
        if 0 < apart < min_size:
            return first  # ``visible`` is sorted smallest first
    return None


def shown_disjoint(sizes: Mapping[Hashable, int], total: int, min_size: int) -> set[Hashable]:
    """:func:`shown_groups` for one dimension of disjoint groups, worked out from sizes alone.

    The options of a single-choice question split its respondents into disjoint groups; then
    every rule depends on the sizes only, and counting them needs no sets of a hundred thousand
    people. ``sizes`` holds the non-empty groups; ``total`` is everyone counted.
    """
    if min_size < 3:
        raise ValueError("min_size below 3 would expose individuals; use 3 or more")
    hidden = {name for name, size in sizes.items() if size < min_size}

    def order(name: Hashable) -> tuple:
        return (sizes[name], str(name))

    while True:
        visible = sorted((name for name in sizes if name not in hidden), key=order)
        rest = total - sum(sizes[name] for name in visible)
        victim = None
        if visible and (0 < rest < min_size or (rest == 0 and hidden)):
            victim = visible[0]
        if victim is None:
            victim = next((name for name in visible if 0 < total - sizes[name] < min_size), None)
        if victim is None:
            return set(visible)
        hidden.add(victim)


def suppress_small_groups(
    counts_by_group: Mapping[str, int], min_size: int = 5, show_total: bool = True
) -> tuple[dict[str, int | None], int | None]:
    """Hide breakdown groups too small to keep their authors anonymous.

    Groups with fewer than ``min_size`` distinct authors become None.  While the total is shown,
    the hidden groups together equal the total minus the visible ones, so they must add up to at
    least ``min_size`` too: the smallest visible groups (ties by name) are hidden until they do.
    The total is None when below ``min_size`` or not shown, which also protects a breakdown
    consisting of one small group.  Groups that overlap across dimensions need more (the rest
    of this module).

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
