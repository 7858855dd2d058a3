"""What reaches no final value: the texts coverage counts, the consultant's marks, the groups.

Coverage's base is every visible text the analysis reads, less answers to proposals (see
:mod:`dialogue.synthesis.queries.coverage`); here are that base as SQL, the texts in no theme
grouped by round and part and read a page at a time, and the uncovered texts read lazily.
"""

from __future__ import annotations

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
from rounds import get_kind
from rounds.identifying import masked_pairs
from rounds.traceability import Graph, chunks, proposal_id_of


@dataclass(frozen=True)
class Mark:
    """The consultant's decision on one uncovered theme or text."""

    status: CoverageStatus
    reason: str


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


def marks(dialogue: Dialogue) -> tuple[dict[int, Mark], dict[uuid.UUID, Mark]]:
    """The consultant's decisions in the dialogue: by theme id, and by text id."""
    by_theme, by_text = {}, {}
    for mark in Session.scalars(
        select(CoverageMark).where(CoverageMark.dialogue_id == dialogue.id)
    ):
        if mark.theme_id is not None:
            by_theme[mark.theme_id] = Mark(mark.status, mark.reason)
        else:
            by_text[mark.contribution_id] = Mark(mark.status, mark.reason)
    return by_theme, by_text


def reaching(graph: Graph) -> tuple[list[int], list[uuid.UUID]]:
    """The themes and the texts linked directly that inform a final proposal."""
    finals = [graph.proposals[i] for i in sorted(graph.final_ids())]
    covered = sorted(frozenset().union(*(graph.source_theme_ids(p) for p in finals)))
    direct = sorted(frozenset().union(*(graph.source_contribution_ids(p) for p in finals)))
    return covered, direct


def group_ids(graph: Graph, dialogue: Dialogue, round_: Round, part: str):
    """A select of the ids of one group's texts (see :class:`TextGroup`); None if it has none."""
    kind = get_kind(round_.kind)
    in_part = kind.analysis_condition(round_, part) if kind is not None else None
    found = base_texts(dialogue, *reaching(graph))
    if in_part is None or found is None:
        return None
    query, reached, unthemed = found
    return query.where(Contribution.round_id == round_.id, in_part, ~reached, unthemed)


def round_parts(dialogue: Dialogue) -> list[tuple[Round, str, object, object]]:
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
    for round_, part, label, condition in round_parts(dialogue):
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
    _theme_marks, text_marks = marks(dialogue)
    rounds = {round_.id: round_}
    texts = UncoveredTexts([(cid, round_.id) for cid in chosen], len(chosen), rounds, text_marks)
    return list(texts), pages


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


def base_texts(dialogue: Dialogue, covered: list[int], direct: list[uuid.UUID]):
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
