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

from sqlalchemy import and_, case, func, select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, Dialogue, ThemeMember
from dialogue.synthesis.queries.figures import cached_for
from dialogue.synthesis.queries.uncovered import (
    Mark,
    TextGroup,
    UncoveredText,
    UncoveredTexts,
    base_condition,
    base_texts,
    marks,
    reaching,
    round_parts,
    text_groups,
)
from rounds.traceability import Graph, chunks

SORTS = ("size", "label", "round")
#: Uncovered texts kept with the stored figures: as many as the coverage page lists.
STORED_TEXTS = 200


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


def coverage(graph: Graph, dialogue: Dialogue, sort: str = "size") -> Coverage:
    """The dialogue's coverage figures and its uncovered themes and texts."""
    k = dialogue.min_group_size
    covered, direct = reaching(graph)
    uncovered = [i for i in graph.active_ids() if i not in covered]
    figures = cached_for(
        dialogue,
        "coverage",
        lambda: _figures(dialogue, covered, direct, uncovered),
        key=(covered, [str(i) for i in direct], uncovered, STORED_TEXTS, "groups"),
    )
    people, reached_people = figures["people"]
    shown_people = people >= k
    theme_marks, text_marks = marks(dialogue)
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


def _figures(dialogue: Dialogue, covered, direct, uncovered: list[int]) -> dict:
    """Coverage counts in one grouped pass over the base texts, and the first uncovered texts.

    Texts are grouped by author first: each author's texts per round, reached or not, then the
    authors are counted. A hash of authors instead of sorting a million pseudonyms twice.
    """
    found = base_texts(dialogue, covered, direct)
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
    parts = round_parts(dialogue)
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
    found = base_texts(dialogue, covered, direct)
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


def _sorted(themes: list[UncoveredTheme], sort: str) -> list[UncoveredTheme]:
    if sort == "label":
        return sorted(themes, key=lambda t: t.label.casefold())
    if sort == "round":
        return sorted(themes, key=lambda t: (t.round_position, -t.contributions))
    return sorted(themes, key=lambda t: (-t.contributions, t.label.casefold()))
