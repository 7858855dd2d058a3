"""Coverage: how much of the input reaches a final value, and what is still to follow up.

The base is every visible text the theme analysis reads in any round (``analysis_texts`` of the
round's kind), except answers that respond to a proposal (target ``proposal:<id>``): those are
reactions to the synthesis, not input to it. A text *reaches* a final value when it belongs to a
theme (or is linked itself) that informs a final proposal. The reference case's lesson was that
critical factors hidden in the whole material got lost; the themes and texts that reach nothing
are listed here, largest first, with the consultant's decision on each.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, false, func, or_, select, union

from dialogue.db import Session
from dialogue.models import Contribution, CoverageMark, Dialogue, ThemeMember
from dialogue.models.proposal import ITEM_PREFIX, CoverageStatus
from dialogue.synthesis.figures import cached_for
from dialogue.synthesis.graph import Graph, chunks, proposal_id_of
from rounds import get_kind

SORTS = ("size", "label", "round")


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
        condition = kind.analysis_condition(round_) if kind is not None else None
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


def coverage(graph: Graph, dialogue: Dialogue, sort: str = "size") -> Coverage:
    """The dialogue's coverage figures and its uncovered themes and texts."""
    k = dialogue.min_group_size
    finals = [graph.proposals[i] for i in sorted(graph.final_ids())]
    covered = frozenset().union(*(graph.source_theme_ids(p) for p in finals))
    direct = frozenset().union(*(graph.source_contribution_ids(p) for p in finals))
    uncovered = [i for i in graph.active_ids() if i not in covered]
    figures = cached_for(
        dialogue,
        "coverage",
        lambda: _figures(dialogue, covered, direct, graph.active_ids(), uncovered),
        key=(sorted(covered), sorted(str(i) for i in direct), uncovered),
    )
    people, reached_people = figures["people"]
    shown_people = people >= k
    theme_marks, text_marks = _marks(dialogue)
    rounds = {round_.id: round_ for round_ in dialogue.rounds}
    by_round = {round_id: (n, reached) for round_id, n, reached in figures["rounds"]}
    themes = []
    for theme_id in uncovered:
        theme = graph.themes[theme_id]
        count, distinct = figures["themes"].get(theme_id, (0, 0))
        round_ = rounds[theme.round_id]
        themes.append(
            UncoveredTheme(
                theme.id,
                theme.label,
                round_.title,
                round_.position,
                count,
                distinct if distinct >= k else None,
                theme_marks.get(theme.id),
            )
        )
    return Coverage(
        contributions=sum(n for n, _reached in by_round.values()),
        reached_contributions=sum(reached for _n, reached in by_round.values()),
        participants=people if shown_people else None,
        reached_participants=reached_people if shown_people else None,
        rounds=[
            RoundCoverage(round_.title, *by_round[round_.id])
            for round_ in dialogue.rounds
            if round_.id in by_round
        ],
        themes=_sorted(themes, sort),
        texts=UncoveredTexts(
            [(uuid.UUID(cid), round_id) for cid, round_id in figures["texts"]], rounds, text_marks
        ),
    )


def _figures(dialogue: Dialogue, covered, direct, active: list[int], uncovered: list[int]) -> dict:
    """Coverage counts in a few grouped queries over the base texts (stored by the caller)."""
    condition = base_condition(dialogue)
    if condition is None:
        return {"rounds": [], "people": (0, 0), "themes": {}, "texts": []}
    reached_ids = _ids_in(covered, direct).subquery()
    is_reached = reached_ids.c.id.is_not(None)
    base = (
        select(Contribution.id, Contribution.round_id, Contribution.author, Contribution.body)
        .outerjoin(reached_ids, reached_ids.c.id == Contribution.id)
        .where(condition)
    )
    rounds = Session.execute(
        base.with_only_columns(
            Contribution.round_id,
            func.count(),
            func.count(case((is_reached, 1))),
        ).group_by(Contribution.round_id)
    ).all()
    people = Session.execute(
        base.with_only_columns(
            func.count(func.distinct(Contribution.author)),
            func.count(func.distinct(case((is_reached, Contribution.author)))),
        )
    ).one()
    themes = {}
    for ids in chunks(uncovered):
        themes.update(
            {
                theme_id: (n, authors)
                for theme_id, n, authors in Session.execute(
                    select(
                        ThemeMember.theme_id,
                        func.count(),
                        func.count(func.distinct(Contribution.author)),
                    )
                    .join(Contribution, Contribution.id == ThemeMember.contribution_id)
                    .where(ThemeMember.theme_id.in_(ids), condition)
                    .group_by(ThemeMember.theme_id)
                )
            }
        )
    themed = _ids_in(active, ()).subquery()
    positions = {round_.id: round_.position for round_ in dialogue.rounds}
    texts = Session.execute(
        base.with_only_columns(Contribution.id, Contribution.round_id, Contribution.body)
        .outerjoin(themed, themed.c.id == Contribution.id)
        .where(~is_reached, themed.c.id.is_(None))
    ).all()
    texts.sort(key=lambda row: (positions[row.round_id], (row.body or "").casefold()))
    return {
        "rounds": [tuple(row) for row in rounds],
        "people": tuple(people),
        "themes": themes,
        "texts": [(str(row.id), row.round_id) for row in texts],
    }


def _ids_in(theme_ids, contribution_ids):
    """Ids of the contributions placed in ``theme_ids`` or among ``contribution_ids``, once each."""
    parts = [
        select(ThemeMember.contribution_id.label("id")).where(ThemeMember.theme_id.in_(ids))
        for ids in chunks(sorted(theme_ids))
    ]
    parts += [
        select(Contribution.id.label("id")).where(Contribution.id.in_(ids))
        for ids in chunks(sorted(contribution_ids))
    ]
    if not parts:  # a query for no ids at all, so the outer joins still have a table
        return select(Contribution.id.label("id")).where(false())
    return union(*parts)


class UncoveredTexts(Sequence):
    """The uncovered texts in order; their words are read only for the rows a page shows."""

    def __init__(self, ids: list[tuple[uuid.UUID, int]], rounds: dict, marks: dict) -> None:
        self._ids, self._rounds, self._marks = ids, rounds, marks

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, index):
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
        return [
            UncoveredText(
                cid,
                self._rounds[round_id].title,
                self._rounds[round_id].position,
                bodies.get(cid) or "",
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
