"""What a round's results are: ``RoundResults`` and its ``ItemResult`` rows, as pages see them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from analysis.consensus import ItemRatings, Stability
from analysis.rankings import ItemPoints, ItemRanking, KendallW
from rounds.items import Item
from rounds.results.segments import Breakdown

#: The consensus verdicts of ``analysis.consensus`` in the reader's language.
VERDICT_LABELS = {
    "consensus": _l("Consensus"),
    "consensus against": _l("Consensus against"),
    "dissensus": _l("Dissensus"),
    "no consensus": _l("No consensus"),
}


@dataclass(frozen=True)
class ItemResult:
    """One item's numbers; everything but key and label is None when the item is suppressed."""

    key: str
    label: str
    authors: int | None
    ranking: ItemRanking | None = None
    points: ItemPoints | None = None
    ratings: ItemRatings | None = None
    #: How many answered 1, 2, 3, 4 and 5.
    distribution: tuple[int, ...] | None = None
    verdict: str | None = None
    stability: Stability | None = None
    #: Of those who rated the item in this round and the one it repeats, the share who changed
    #: their rating (paired through their pseudonym only); None below the minimum group size.
    changed: float | None = None
    #: Number of texts per aspect (strengths, weaknesses …) for text kinds.
    texts: Mapping[str, int] | None = None

    @property
    def suppressed(self) -> bool:
        """True when too few people answered this item for its numbers to be shown."""
        return self.authors is None

    @property
    def verdict_label(self):
        """The verdict in the reader's language."""
        return VERDICT_LABELS.get(self.verdict or "")


@dataclass(frozen=True)
class RoundResults:
    """Everything a results page or a feedback box shows about one round."""

    round_id: int
    kind: str
    min_group_size: int
    respondents: int | None
    items: tuple[ItemResult, ...] = ()
    method: str | None = None
    kendall: KendallW | None = None
    budget: int | None = None
    top: int | None = None
    #: What a group's value per item means (e.g. "mean rank"), for the breakdown tables.
    value_label: Any = None
    breakdowns: tuple[Breakdown, ...] = ()
    #: Free comments ("other", per-item comments) counted, never quoted here.
    comments: int = 0
    aspects: tuple[tuple[str, Any], ...] = ()
    #: Of those who rated in this round and the one it repeats, the share who changed at least one
    #: rating; None without an earlier round or below the minimum group size.
    changed: float | None = None
    #: For kinds whose items have a natural order of importance: best first.
    order: tuple[str, ...] = ()
    #: The round has not closed: only a rounded count of respondents (see ``live_results``).
    live: bool = False
    #: The round has closed and its final results are being computed (see ``cached_results``).
    pending: bool = False

    @property
    def suppressed(self) -> bool:
        """True when the whole round had too few respondents to show anything."""
        return self.respondents is None

    @property
    def ordered_items(self) -> list[ItemResult]:
        """Items best first where the kind defines an order, suppressed ones last."""
        if not self.order:
            return list(self.items)
        position = {key: index for index, key in enumerate(self.order)}
        return sorted(self.items, key=lambda item: position.get(item.key, len(position)))


def suppressed_items(items: Sequence[Item]) -> tuple[ItemResult, ...]:
    """Every item with its key and label only, as shown when its numbers are hidden."""
    return tuple(ItemResult(item.key, item.label, None) for item in items)


def top_items(results: RoundResults, count: int) -> list[Item]:
    """The best ``count`` shown items of a round, e.g. the priorities a culture round asks about."""
    shown = [item for item in results.ordered_items if not item.suppressed]
    return [Item(item.key, item.label) for item in shown[: count or None]]
