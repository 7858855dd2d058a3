"""Round results: each kind's answers aggregated with ``analysis.consensus``, small groups hidden.

The statistics themselves live in ``analysis.consensus``; this module turns stored contributions
into its matrices and applies the anonymity rule to what comes back: an item, a round or a
breakdown group with fewer distinct authors than the dialogue's ``min_group_size`` shows no
numbers at all, and breakdowns are suppressed across both dimensions (``analysis.suppression``).
Breakdowns by department and role group need to know which pseudonym belongs to which group;
``author_segments`` works that out in memory with the anonymity key, and only counts and
aggregates leave this module. While a round is open, nobody sees more than a rounded count
(``live_results``); once it has closed, the staff's results are computed once and kept
(``cached_results``), so that no later change of membership can be read off them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, Text, cast, func, select

from analysis.consensus import (
    ItemPoints,
    ItemRanking,
    ItemRatings,
    KendallW,
    Stability,
    consensus_verdict,
    kendalls_w,
    points_summary,
    ranking_summary,
    ranks_from_top_k,
    rating_stability,
    rating_summary,
)
from analysis.suppression import shown_groups
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Dialogue, Membership, ModerationState, Role, Round
from rounds.items import Item

#: The breakdowns every result offers: (segment attribute, heading).
DIMENSIONS = (("department", _l("By department")), ("role_group", _l("By role group")))
#: Shown where a member has no department or role group.
NO_GROUP = "—"

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
class GroupRow:
    """One department or role group: respondents and a headline value per item, or hidden."""

    name: str
    respondents: int | None
    values: Mapping[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Breakdown:
    """The groups of one dimension (department or role group)."""

    dimension: str
    heading: Any
    rows: tuple[GroupRow, ...]


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


#: How long a dialogue's pseudonym → segment map is reused in this process, at most.
SEGMENTS_TTL = 300.0
_segments_cache: dict[tuple[int, str], tuple[tuple, float, dict[str, dict[str, str]]]] = {}
_segments_lock = threading.Lock()


def author_segments(dialogue: Dialogue, secret: str) -> dict[str, dict[str, str]]:
    """Each participant's pseudonym → department and role group, computed in memory.

    The mapping must never be stored, logged or sent anywhere: it is exactly the link between
    people and their input that the anonymity promise keeps out of the database. Deriving it
    costs one keyed hash per member (a tenth of a second at 100,000), so this process keeps it
    for up to ``SEGMENTS_TTL`` seconds, in memory only, and derives it again as soon as the
    dialogue's membership changes in number (an import here also calls
    :func:`forget_author_segments`). Nothing another server needs lives in this cache.
    """
    fingerprint = tuple(
        Session.execute(
            select(func.count(), func.max(Membership.id), func.max(Membership.person_id)).where(
                Membership.dialogue_id == dialogue.id
            )
        ).one()
    )
    key = (dialogue.id, hashlib.sha256(secret.encode()).hexdigest())
    now = time.monotonic()
    entry = _segments_cache.get(key)
    if entry is not None and entry[0] == fingerprint and entry[1] > now:
        return entry[2]
    members = Session.execute(
        select(Membership.person_id, Membership.department, Membership.role_group).where(
            Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT
        )
    )
    keyed = hmac.new(secret.encode(), digestmod=hashlib.sha256)
    prefix = f"dialogue:{dialogue.id}:person:"
    segments = {}
    for person_id, department, role_group in members:
        digest = keyed.copy()
        digest.update(f"{prefix}{person_id}".encode())
        segments[digest.hexdigest()] = {
            "department": department or NO_GROUP,
            "role_group": role_group or NO_GROUP,
        }
    with _segments_lock:
        _segments_cache[key] = (fingerprint, now + SEGMENTS_TTL, segments)
    return segments


def forget_author_segments(dialogue_id: int | None = None) -> None:
    """Drop this process's pseudonym maps (of one dialogue, or all), e.g. after an import."""
    with _segments_lock:
        for key in [k for k in _segments_cache if dialogue_id is None or k[0] == dialogue_id]:
            del _segments_cache[key]


class VisibleRow:
    """One visible contribution as the aggregations read it (no ORM object).

    The id travels as text and becomes a ``uuid.UUID`` only when asked for: building a UUID
    costs more than the rest of the row, and only the theme analysis needs it.
    """

    __slots__ = ("_id", "author", "body", "data", "target")

    def __init__(self, id_text: str, author: str, body, data, target) -> None:
        self._id, self.author, self.body, self.data, self.target = (
            id_text,
            author,
            body,
            data,
            target,
        )

    @property
    def id(self) -> uuid.UUID:
        """The contribution's id."""
        return uuid.UUID(self._id)


#: Within :func:`computing_results`, each round's visible rows are read once, not per use.
_ROWS_MEMO: ContextVar[dict | None] = ContextVar("visible_rows_memo", default=None)


@contextmanager
def computing_results():
    """Share :func:`visible_contributions` between the steps of one computation.

    A kind's results may read the same round's rows two or three times (answers, comments,
    the round it repeats); at a third of a million rows each read costs seconds.
    """
    token = _ROWS_MEMO.set({})
    try:
        yield
    finally:
        _ROWS_MEMO.reset(token)


def visible_contributions(round_: Round) -> list[VisibleRow]:
    """The round's contributions that moderation lets through, in a stable, meaningless order.

    Light rows (``id``, ``author``, ``body``, ``data``, ``target``), not ORM objects: a closed
    round may hold a million of them. ``data`` is read as text and decoded once per distinct
    value (answers repeat: a rating round has a handful of distinct ones); treat it as
    read-only.
    """
    memo = _ROWS_MEMO.get()
    if memo is not None and round_.id in memo:
        return memo[round_.id]
    decoded: dict[str, Any] = {}
    rows = []
    for cid, author, body, data, target in Session.execute(
        select(
            cast(Contribution.id, String),
            Contribution.author,
            Contribution.body,
            cast(Contribution.data, Text),
            Contribution.target,
        )
        .where(
            Contribution.round_id == round_.id,
            Contribution.moderation == ModerationState.VISIBLE,
        )
        .order_by(Contribution.id)
    ):
        if data is not None:
            value = decoded.get(data)
            if value is None:
                value = decoded[data] = json.loads(data)
            data = value
        rows.append(VisibleRow(cid, author, body, data, target))
    if memo is not None:
        memo[round_.id] = rows
    return rows


def visible_authors(round_: Round) -> list[str]:
    """The distinct pseudonyms behind the round's visible contributions (an index-only scan)."""
    return list(
        Session.scalars(
            select(Contribution.author)
            .where(
                Contribution.round_id == round_.id,
                Contribution.moderation == ModerationState.VISIBLE,
            )
            .distinct()
        )
    )


def count_visible(round_: Round, *, with_text: bool = False) -> int:
    """How many visible contributions the round has (with a text only, if asked)."""
    statement = (
        select(func.count())
        .select_from(Contribution)
        .where(
            Contribution.round_id == round_.id,
            Contribution.moderation == ModerationState.VISIBLE,
        )
    )
    if with_text:
        statement = statement.where(Contribution.body.is_not(None))
    return Session.scalar(statement)


def _shown(count: int, min_size: int) -> int | None:
    return count if count >= min_size else None


def breakdowns(
    answers: Mapping[str, Any],
    segments: Mapping[str, Mapping[str, str]] | None,
    min_size: int,
    values: Callable[[list[str]], Mapping[str, float | None]] | None = None,
) -> tuple[Breakdown, ...]:
    """Respondents and per-item values by department and role group, small groups hidden.

    Both dimensions are suppressed together (``analysis.suppression``): no hidden group can be
    worked out from the total and the shown ones, no two shown groups of either dimension
    differ by fewer than ``min_size`` people, and no group is shown where fewer than
    ``min_size`` of its members did not answer. ``values`` computes a group's value per item
    from its authors; it is only called for groups that are shown. Authors without a known
    segment (members who left) count in no group.
    """
    if not segments or len(answers) < min_size:  # too few to show even the total
        return ()
    members: dict[str, dict[str, list[str]]] = {dimension: {} for dimension, _h in DIMENSIONS}
    invited: dict[str, Counter] = {dimension: Counter() for dimension, _h in DIMENSIONS}
    for segment in segments.values():
        for dimension, _heading in DIMENSIONS:
            invited[dimension][segment[dimension]] += 1
    for author in answers:
        segment = segments.get(author)
        if segment is not None:
            for dimension, _heading in DIMENSIONS:
                members[dimension].setdefault(segment[dimension], []).append(author)
    sets = {
        dimension: {n: set(a) for n, a in groups.items()} for dimension, groups in members.items()
    }
    shown = shown_groups(
        sets,
        set(answers),
        min_size,
        population=invited,
    )
    result = []
    for dimension, heading in DIMENSIONS:
        groups = members[dimension]
        rows = tuple(
            GroupRow(name, len(groups[name]), values(groups[name]) if values else {})
            if name in shown[dimension]
            else GroupRow(name, None, {})
            for name in sorted(groups)
        )
        result.append(Breakdown(dimension, heading, rows))
    return tuple(result)


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
        return RoundResults(respondents=None, items=_suppressed(items), **base)

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
        return RoundResults(respondents=None, items=_suppressed(items), **base)

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
        return RoundResults(respondents=None, items=_suppressed(items), **base)

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
        **base,
    )


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
        items=results if shown else _suppressed(items),
        breakdowns=breakdowns(authors, segments, k) if shown else (),
        comments=len(rows),
        aspects=tuple(aspects),
    )


def _suppressed(items: Sequence[Item]) -> tuple[ItemResult, ...]:
    return tuple(ItemResult(item.key, item.label, None) for item in items)


def top_items(results: RoundResults, count: int) -> list[Item]:
    """The best ``count`` shown items of a round, e.g. the priorities a culture round asks about."""
    shown = [item for item in results.ordered_items if not item.suppressed]
    return [Item(item.key, item.label) for item in shown[: count or None]]


@dataclass(frozen=True)
class TextGroup:
    """The texts written about one item and aspect, for the consultant's eyes only."""

    item: str | None
    aspect: Any
    texts: tuple[str, ...]


#: Up to this many texts are listed on a results page; larger rounds are read, searched and
#: paged through in the staff contribution list and the theme workbench instead.
RAW_TEXT_LIMIT = 2000


class TextGroups(list):
    """The grouped texts of :func:`raw_texts`; ``too_many`` when the round has too many to list."""

    too_many: bool = False


def raw_texts(
    round_: Round, items: Sequence[Item], aspects: Sequence[tuple[str, Any]] = ()
) -> TextGroups:
    """Every visible text of the round grouped by item and aspect, without authors.

    Within a group texts are sorted alphabetically, which says nothing about who wrote them or
    when. A round with more than ``RAW_TEXT_LIMIT`` texts lists none (``too_many`` is set):
    a page of a million texts helps nobody and would take minutes to build.
    """
    labels = {item.key: item.label for item in items}
    aspect_labels = dict(aspects)
    groups: dict[tuple[str | None, str | None], list[str]] = defaultdict(list)
    rows = Session.execute(
        select(Contribution.target, Contribution.data, Contribution.body)
        .where(
            Contribution.round_id == round_.id,
            Contribution.moderation == ModerationState.VISIBLE,
            Contribution.body.is_not(None),
        )
        .limit(RAW_TEXT_LIMIT + 1)
    ).all()
    if len(rows) > RAW_TEXT_LIMIT:
        result = TextGroups()
        result.too_many = True
        return result
    for target, data, body in rows:
        if body:
            groups[(target, (data or {}).get("aspect"))].append(body)
    order = {item.key: index for index, item in enumerate(items)}
    aspect_order = {name: index for index, (name, _label) in enumerate(aspects)}
    keys = sorted(groups, key=lambda g: (order.get(g[0], len(order)), aspect_order.get(g[1], 0)))
    return TextGroups(
        TextGroup(
            labels.get(target), aspect_labels.get(aspect), tuple(sorted(groups[target, aspect]))
        )
        for target, aspect in keys
    )


#: How old an open round's participation count may be: counting every author of a large round
#: on each request took half a second, and a count that trails by a minute misleads no one.
OPEN_RESULTS_SECONDS = 60


def stepped(count: int, min_size: int) -> int | None:
    """A count shown while a round is open: down to a multiple of ``min_size``, None below it.

    It moves only once every ``min_size`` answers, so no snapshot before and after one person
    answers can tell that they did.
    """
    return count // min_size * min_size if count >= min_size else None


def live_results(round_: Round) -> RoundResults:
    """What anyone sees of a round that has not closed: about how many have answered, no more.

    No distribution, no breakdown, no item: each of them would change with one answer and
    show it to whoever compares two snapshots.
    """
    from rounds import get_kind  # the kinds import this module

    kind = get_kind(round_.kind)
    k = round_.dialogue.min_group_size
    return RoundResults(
        round_id=round_.id,
        kind=round_.kind.value,
        min_group_size=k,
        respondents=stepped(len(visible_authors(round_)), k),
        items=_suppressed(kind.items(round_)) if kind else (),
        live=True,
    )


def cached_results(round_: Round, *, staff: bool) -> RoundResults:
    """The round's results as a results page shows them.

    While the round is open (or not yet open): :func:`live_results`, stored for
    ``OPEN_RESULTS_SECONDS`` at a time. Once it has closed: for participants and the public,
    the results without breakdowns, stored until something they depend on changes; for staff
    (``staff``), with breakdowns by department and role group, the *final* results that a job
    computes once after the close (``dialogue.core.results_cache.final``) and that no later
    membership change alters; until that job has stored them, results marked ``pending``.
    Pages should call this rather than ``kind.results`` directly.
    """
    from dialogue.core.results_cache import cached, final, is_cacheable
    from rounds import get_kind  # the kinds import this module

    if not is_cacheable(round_):
        return cached(
            round_, "results:live", lambda: live_results(round_), open_seconds=OPEN_RESULTS_SECONDS
        )
    if staff:
        value = final(round_, "results:staff")
        if value is None:
            return dataclasses.replace(live_results(round_), respondents=None, pending=True)
        return _tightened(value, round_.dialogue.min_group_size)
    kind = get_kind(round_.kind)

    def compute():
        with computing_results():
            return kind.results(round_, None)

    return cached(round_, "results:public", compute)


def _tightened(results: RoundResults, min_size: int) -> RoundResults:
    """Final results under a minimum group size raised after they were computed.

    They are never computed again (that would let them be compared), so what the higher
    threshold hides is hidden from them: items with fewer answers, and every breakdown, whose
    complementary suppression was worked out for the lower one. A lowered threshold shows no
    more than before.
    """
    if results.min_group_size >= min_size:
        return results
    if results.respondents is None or results.respondents < min_size:
        return dataclasses.replace(
            results,
            min_group_size=min_size,
            respondents=None,
            items=tuple(ItemResult(i.key, i.label, None) for i in results.items),
            breakdowns=(),
            kendall=None,
            order=(),
        )
    items = tuple(
        item
        if item.authors is None or item.authors >= min_size
        else ItemResult(item.key, item.label, None)
        for item in results.items
    )
    return dataclasses.replace(results, min_group_size=min_size, items=items, breakdowns=())


def _final_staff_results(round_: Round) -> RoundResults:
    """A closed round's results with breakdowns: computed once, by a job (see above)."""
    from flask import current_app

    from rounds import get_kind  # the kinds import this module

    segments = author_segments(round_.dialogue, current_app.config["ANON_SECRET"])
    with computing_results():
        return get_kind(round_.kind).results(round_, segments)


@dataclass(frozen=True)
class DelphiFeedback:
    """What a participant sees of earlier rounds while answering this one.

    ``rounds``: the published results of the rounds that feed this one. ``previous``: the
    participant's own ratings in the round this one repeats (their own data, always theirs to
    see); ``previous_results``: the group's results there by item key, once published.
    """

    rounds: tuple[tuple[Round, RoundResults], ...] = ()
    previous: Mapping[str, int] = field(default_factory=dict)
    previous_results: Mapping[str, ItemResult] = field(default_factory=dict)


def delphi_feedback(round_: Round, author: str | None) -> DelphiFeedback:
    """The controlled feedback for ``round_``: published earlier results, own earlier answers.

    Unpublished results stay with the staff, so a round that feeds this one but is not yet
    published is left out. No breakdowns: feedback is for participants.
    """
    from rounds import get_kind  # the kinds import this module

    kind = get_kind(round_.kind)
    if kind is None:
        return DelphiFeedback()
    pairs = []
    for earlier in kind.feedback_rounds(round_):
        earlier_kind = get_kind(earlier.kind)
        if earlier.is_published and earlier_kind is not None:
            pairs.append((earlier, cached_results(earlier, staff=False)))
    repeated = kind.repeated_round(round_)
    previous, previous_results = {}, {}
    if repeated is not None and author is not None:
        previous = (kind.repeated_ratings(round_) or {}).get(author, {})
        for earlier, results in pairs:
            if earlier.id == repeated.id:
                previous_results = {item.key: item for item in results.items}
    return DelphiFeedback(tuple(pairs), previous, previous_results)


def _register_cached_types() -> None:
    from dialogue.core.results_cache import finaliser, register, warmer

    finaliser("results:staff")(_final_staff_results)
    warmer(lambda round_: cached_results(round_, staff=False))
    register(
        RoundResults,
        ItemResult,
        GroupRow,
        Breakdown,
        ItemRanking,
        ItemPoints,
        ItemRatings,
        KendallW,
        Stability,
    )


_register_cached_types()
