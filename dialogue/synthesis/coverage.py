"""Coverage: how much of the input reaches a final value, and what is still to follow up.

The base is every visible text the theme analysis reads in any round (``analysis_texts`` of the
round's kind), except answers that respond to a proposal (target ``proposal:<id>``) and the
kinds whose texts react to drafts (``feeds_synthesis``, a consultation's comments): those are
reactions to the synthesis, not input to it. A text *reaches* a final value when it belongs to a
theme (or is linked itself) that informs a final proposal. The reference case's lesson was that
critical factors hidden in the whole material got lost; the themes and texts that reach nothing
are listed here, largest first, with the consultant's decision on each.
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    CoverageMark,
    Dialogue,
    Round,
    Theme,
    ThemeMember,
)
from dialogue.core.models.analysis import ACTIVE_STATES
from dialogue.core.models.proposal import ITEM_PREFIX, CoverageStatus
from dialogue.synthesis.figures import cached_for
from rounds import get_kind
from rounds.identifying import masked_pairs
from rounds.traceability import Graph, chunks, proposal_id_of

SORTS = ("size", "label", "round")
#: Uncovered texts kept with the stored figures: as many as the coverage page lists.
STORED_TEXTS = 200


@dataclass(frozen=True)
class Mark:
    """The consultant's decision on one uncovered theme or text."""

    status: CoverageStatus
    reason: str


@dataclass(frozen=True)
class UncoveredTheme:
    """A theme that informs no final proposal."""

    id: int
    label: str
    round_id: int
    round_title: str
    round_position: int
    contributions: int
    participants: int | None
    mark: Mark | None


@dataclass(frozen=True)
class UncoveredText:
    """A text in no theme that informs no final proposal (its text is for the consultant only)."""

    id: uuid.UUID
    round_title: str
    round_position: int
    text: str
    mark: Mark | None


@dataclass(frozen=True)
class TextGroup:
    """The texts of one part of a round that are in no theme and reach no final value.

    The consultant decides on a group at once, and reads its texts page by page: a list of
    every such text, each with its own form, is unusable at a few thousand.
    """

    round_id: int
    part: str
    round_title: str
    part_label: str
    count: int
    decided: int


@dataclass(frozen=True)
class RoundCoverage:
    """One round's share of texts that reach a final value."""

    title: str
    contributions: int
    reached: int


@dataclass(frozen=True)
class Coverage:
    """Shares of texts and of participants that reach a final value, and what does not."""

    contributions: int
    reached_contributions: int
    participants: int | None
    reached_participants: int | None
    rounds: list[RoundCoverage]
    themes: list[UncoveredTheme]
    texts: Sequence[UncoveredText]
    groups: list[TextGroup]

    @property
    def share_contributions(self) -> float | None:
        """Share of texts that reach a final value."""
        return self.reached_contributions / self.contributions if self.contributions else None

    @property
    def share_participants(self) -> float | None:
        """Share of participants with at least one text that reaches a final value."""
        if not self.participants or self.reached_participants is None:
            return None
        return self.reached_participants / self.participants


def base_condition(dialogue: Dialogue):
    """The SQL condition on ``Contribution`` for every text the coverage counts (None: no texts).

    Each round's kind says which of its texts the analysis reads; answers that respond to a
    proposal are left out by their exact target keys, a handful per dialogue.
    """
    conditions = []
    for round_ in dialogue.rounds:
        kind = get_kind(round_.kind)
        feeds = kind is not None and kind.feeds_synthesis
        condition = kind.analysis_condition(round_) if feeds else None
        if condition is not None:
            conditions.append(condition)
    if not conditions:
        return None
    targets = Session.scalars(
        select(Contribution.target)
        .where(
            Contribution.round_id.in_([round_.id for round_ in dialogue.rounds]),
            Contribution.target.like(f"{ITEM_PREFIX}%"),
        )
        .distinct()
    )
    answers = sorted(t for t in targets if proposal_id_of(t) is not None)
    if not answers:
        return or_(*conditions)
    return and_(
        or_(*conditions),
        or_(Contribution.target.is_(None), Contribution.target.not_in(answers)),
    )


def _marks(dialogue: Dialogue) -> tuple[dict[int, Mark], dict[uuid.UUID, Mark]]:
    by_theme, by_text = {}, {}
    for mark in Session.scalars(
        select(CoverageMark).where(CoverageMark.dialogue_id == dialogue.id)
    ):
        if mark.theme_id is not None:
            by_theme[mark.theme_id] = Mark(mark.status, mark.reason)
        else:
            by_text[mark.contribution_id] = Mark(mark.status, mark.reason)
    return by_theme, by_text


def _reaching(graph: Graph) -> tuple[list[int], list[uuid.UUID]]:
    """The themes and the texts linked directly that inform a final proposal."""
    finals = [graph.proposals[i] for i in sorted(graph.final_ids())]
    covered = sorted(frozenset().union(*(graph.source_theme_ids(p) for p in finals)))
    direct = sorted(frozenset().union(*(graph.source_contribution_ids(p) for p in finals)))
    return covered, direct


def group_ids(graph: Graph, dialogue: Dialogue, round_: Round, part: str):
    """A select of the ids of one group's texts (see :class:`TextGroup`); None if it has none."""
    kind = get_kind(round_.kind)
    in_part = kind.analysis_condition(round_, part) if kind is not None else None
    found = _base(dialogue, *_reaching(graph))
    if in_part is None or found is None:
        return None
    query, reached, unthemed = found
    return query.where(Contribution.round_id == round_.id, in_part, ~reached, unthemed)


def _parts(dialogue: Dialogue) -> list[tuple[Round, str, object, object]]:
    """(round, part, its label, the SQL condition on its texts) for every part with texts."""
    parts = []
    for round_ in dialogue.rounds:
        kind = get_kind(round_.kind)
        for part, label in kind.theme_parts(round_) if kind is not None else ():
            condition = kind.analysis_condition(round_, part)
            if condition is not None:
                parts.append((round_, part, label, condition))
    return parts


def text_groups(dialogue: Dialogue, counts, direct: list[uuid.UUID]) -> list[TextGroup]:
    """Every part of every round that has texts in no theme reaching no final value.

    ``counts``: (round id, part, how many) from the stored figures; counting them reads every
    text and every placement, seconds at a million texts. How many of them the consultant has
    decided on is read here, from the decisions (a few, or one group's worth): they change
    without changing the figures.
    """
    sizes = {(round_id, part): count for round_id, part, count in counts}
    active = select(ThemeMember.id).where(
        ThemeMember.contribution_id == Contribution.id,
        ThemeMember.theme_id.in_(
            select(Theme.id).where(
                Theme.round_id.in_([round_.id for round_ in dialogue.rounds]),
                Theme.state.in_(ACTIVE_STATES),
            )
        ),
    )
    marked = (
        select(func.count())
        .select_from(CoverageMark)
        .join(Contribution, Contribution.id == CoverageMark.contribution_id)
        .where(CoverageMark.dialogue_id == dialogue.id, ~active.exists())
    )
    base = base_condition(dialogue)
    if base is not None:
        marked = marked.where(base)
    if direct:
        marked = marked.where(Contribution.id.not_in(direct))
    groups = []
    for round_, part, label, condition in _parts(dialogue):
        count = sizes.get((round_.id, part))
        if not count:
            continue
        decided = Session.scalar(marked.where(Contribution.round_id == round_.id, condition))
        groups.append(TextGroup(round_.id, part, round_.title, str(label), count, decided))
    return groups


def group_texts(
    graph: Graph, dialogue: Dialogue, round_: Round, part: str, *, page: int, size: int
) -> tuple[list[UncoveredText], int]:
    """One page of a group's texts in random-id order, and how many pages it has."""
    ids = group_ids(graph, dialogue, round_, part)
    if ids is None:
        return [], 1
    total = Session.scalar(select(func.count()).select_from(ids.subquery()))
    pages = max((total + size - 1) // size, 1)
    page = min(max(page, 1), pages)
    chosen = Session.scalars(
        ids.order_by(Contribution.id).limit(size).offset((page - 1) * size)
    ).all()
    _theme_marks, text_marks = _marks(dialogue)
    rounds = {round_.id: round_}
    texts = UncoveredTexts([(cid, round_.id) for cid in chosen], len(chosen), rounds, text_marks)
    return list(texts), pages


def coverage(graph: Graph, dialogue: Dialogue, sort: str = "size") -> Coverage:
    """The dialogue's coverage figures and its uncovered themes and texts."""
    k = dialogue.min_group_size
    covered, direct = _reaching(graph)
    uncovered = [i for i in graph.active_ids() if i not in covered]
    figures = cached_for(
        dialogue,
        "coverage",
        lambda: _figures(dialogue, covered, direct, uncovered),
        key=(covered, [str(i) for i in direct], uncovered, STORED_TEXTS, "groups"),
    )
    people, reached_people = figures["people"]
    shown_people = people >= k
    theme_marks, text_marks = _marks(dialogue)
    rounds = {round_.id: round_ for round_ in dialogue.rounds}
    by_round = {row[0]: row[1:] for row in figures["rounds"]}
    themes = []
    for theme_id in uncovered:
        if theme_id not in figures["themes"]:  # no text coverage counts: comments on proposals
            continue
        theme = graph.themes[theme_id]
        count, distinct = figures["themes"][theme_id]
        round_ = rounds[theme.round_id]
        themes.append(
            UncoveredTheme(
                theme.id,
                theme.label,
                round_.id,
                round_.title,
                round_.position,
                count,
                distinct if distinct >= k else None,
                theme_marks.get(theme.id),
            )
        )
    return Coverage(
        contributions=sum(row[0] for row in by_round.values()),
        reached_contributions=sum(row[1] for row in by_round.values()),
        participants=people if shown_people else None,
        reached_participants=reached_people if shown_people else None,
        rounds=[
            RoundCoverage(round_.title, *by_round[round_.id][:2])
            for round_ in dialogue.rounds
            if round_.id in by_round
        ],
        themes=_sorted(themes, sort),
        texts=UncoveredTexts(
            [(uuid.UUID(cid), round_id) for cid, round_id in figures["texts"]],
            sum(row[2] for row in by_round.values()),
            rounds,
            text_marks,
            lambda: _uncovered_texts(dialogue, covered, direct, None),
        ),
        groups=text_groups(dialogue, figures["groups"], direct),
    )


def _placements(dialogue: Dialogue, covered: list[int]):
    """Contribution id → whether it is in a covered theme, for every text in an active theme."""
    active = select(Theme.id).where(
        Theme.round_id.in_([round_.id for round_ in dialogue.rounds]),
        Theme.state.in_(ACTIVE_STATES),
    )
    return (
        select(
            ThemeMember.contribution_id.label("id"),
            func.max(case((ThemeMember.theme_id.in_(covered), 1), else_=0)).label("covered"),
        )
        .where(ThemeMember.theme_id.in_(active))
        .group_by(ThemeMember.contribution_id)
        .subquery()
    )


def _base(dialogue: Dialogue, covered: list[int], direct: list[uuid.UUID]):
    """The base texts joined to their placements; None if the dialogue has no such texts.

    Returns the query and two conditions on it: "reaches a final value", "in no active theme".
    """
    condition = base_condition(dialogue)
    if condition is None:
        return None
    placed = _placements(dialogue, covered)
    reached = func.coalesce(placed.c.covered, 0) == 1  # not placed: NULL, so not reached
    if direct:
        reached = or_(reached, Contribution.id.in_(direct))
    query = (
        select(Contribution.id).outerjoin(placed, placed.c.id == Contribution.id).where(condition)
    )
    return query, reached, placed.c.id.is_(None)


def _figures(dialogue: Dialogue, covered, direct, uncovered: list[int]) -> dict:
    """Coverage counts in one grouped pass over the base texts, and the first uncovered texts.

    Texts are grouped by author first: each author's texts per round, reached or not, then the
    authors are counted. A hash of authors instead of sorting a million pseudonyms twice.
    """
    found = _base(dialogue, covered, direct)
    if found is None:
        return {"rounds": [], "people": (0, 0), "themes": {}, "texts": [], "groups": []}
    query, reached, unthemed = found
    round_ids = [round_.id for round_ in dialogue.rounds]
    columns = []
    for round_id in round_ids:
        here = Contribution.round_id == round_id
        columns += [
            func.count(case((here, 1))),
            func.count(case((and_(here, reached), 1))),
            func.count(case((and_(here, ~reached, unthemed), 1))),
        ]
    parts = _parts(dialogue)
    # Each part's texts in no theme that reach no final value (see :func:`text_groups`).
    columns += [
        func.count(
            case((and_(Contribution.round_id == round_.id, condition, ~reached, unthemed), 1))
        )
        for round_, _part, _label, condition in parts
    ]
    per_author = query.with_only_columns(
        Contribution.author,
        func.count(case((reached, 1))).label("reached"),
        *(column.label(f"c{i}") for i, column in enumerate(columns)),
    ).group_by(Contribution.author)
    per_author = per_author.subquery()
    row = Session.execute(
        select(
            func.count(),
            func.count(case((per_author.c.reached > 0, 1))),
            *(func.coalesce(func.sum(per_author.c[f"c{i}"]), 0) for i in range(len(columns))),
        )
    ).one()
    sums = [int(value) for value in row]  # PostgreSQL sums counts as decimals: not storable
    rounds = [
        (round_id, *sums[2 + 3 * i : 5 + 3 * i])
        for i, round_id in enumerate(round_ids)
        if sums[2 + 3 * i]
    ]
    in_parts = sums[2 + 3 * len(round_ids) :]
    return {
        "rounds": rounds,
        "groups": [
            (round_.id, part, count)
            for (round_, part, _label, _condition), count in zip(parts, in_parts, strict=True)
            if count
        ],
        "people": (sums[0], sums[1]),
        "themes": _theme_figures(dialogue, uncovered),
        "texts": [
            (str(cid), round_id)
            for cid, round_id in _uncovered_texts(dialogue, covered, direct, STORED_TEXTS)
        ],
    }


def _theme_figures(dialogue: Dialogue, uncovered: list[int]) -> dict[int, tuple[int, int]]:
    """Uncovered theme id → (its base texts, their distinct authors)."""
    condition = base_condition(dialogue)
    figures = {}
    for ids in chunks(uncovered):
        rows = Session.execute(
            select(
                ThemeMember.theme_id,
                func.count(),
                func.count(func.distinct(Contribution.author)),
            )
            .join(Contribution, Contribution.id == ThemeMember.contribution_id)
            .where(ThemeMember.theme_id.in_(ids), condition)
            .group_by(ThemeMember.theme_id)
        )
        figures.update({theme_id: (n, authors) for theme_id, n, authors in rows})
    return figures


def _uncovered_texts(dialogue: Dialogue, covered, direct, limit: int | None) -> list[tuple]:
    """(id, round id) of the texts in no theme that reach no final value, in reading order.

    By round, then by text regardless of case (as Python compares it), then by id; the first
    ``limit`` only, if given.
    """
    found = _base(dialogue, covered, direct)
    if found is None:
        return []
    query, reached, unthemed = found
    positions = {round_.id: round_.position for round_ in dialogue.rounds}
    rows = Session.execute(
        query.with_only_columns(Contribution.id, Contribution.round_id, Contribution.body).where(
            ~reached, unthemed
        )
    )

    def order(row):
        return positions[row.round_id], (row.body or "").casefold(), str(row.id)

    ordered = sorted(rows, key=order) if limit is None else heapq.nsmallest(limit, rows, order)
    return [(row.id, row.round_id) for row in ordered]


class UncoveredTexts(Sequence):
    """The uncovered texts in order; words are read only for the rows a page shows.

    The first ``STORED_TEXTS`` are known from the stored figures; reading further (an export,
    a test) reads the whole list once.
    """

    def __init__(self, first: list, total: int, rounds: dict, marks: dict, read_all=None) -> None:
        self._ids, self._total, self._rounds, self._marks = first, total, rounds, marks
        self._read_all = read_all

    def __len__(self) -> int:
        return self._total

    def __getitem__(self, index):
        wanted = range(self._total)[index]
        needed = max(wanted, default=-1) + 1 if isinstance(index, slice) else wanted + 1
        if needed > len(self._ids):
            self._ids = self._read_all()
        if isinstance(index, slice):
            return self._rows(self._ids[index])
        return self._rows([self._ids[index]])[0]

    def _rows(self, ids: list[tuple[uuid.UUID, int]]) -> list[UncoveredText]:
        bodies: dict[uuid.UUID, str] = {}
        for part in chunks([cid for cid, _round_id in ids]):
            bodies.update(
                Session.execute(
                    select(Contribution.id, Contribution.body).where(Contribution.id.in_(part))
                ).all()
            )
        masked = dict(masked_pairs(list(bodies.items())))
        return [
            UncoveredText(
                cid,
                self._rounds[round_id].title,
                self._rounds[round_id].position,
                masked.get(cid) or "",
                self._marks.get(cid),
            )
            for cid, round_id in ids
        ]


def _sorted(themes: list[UncoveredTheme], sort: str) -> list[UncoveredTheme]:
    if sort == "label":
        return sorted(themes, key=lambda t: t.label.casefold())
    if sort == "round":
        return sorted(themes, key=lambda t: (t.round_position, -t.contributions))
    return sorted(themes, key=lambda t: (-t.contributions, t.label.casefold()))
