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
from dataclasses import dataclass

from sqlalchemy import select

from dialogue.db import Session
from dialogue.models import Contribution, CoverageMark, Dialogue, Theme
from dialogue.models.analysis import ACTIVE_STATES
from dialogue.models.proposal import CoverageStatus
from dialogue.synthesis.graph import Graph, proposal_id_of, visible_authors
from rounds import get_kind
from rounds.identifying import masked_pairs

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
    texts: list[UncoveredText]

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


def base_contributions(dialogue: Dialogue) -> dict[uuid.UUID, tuple]:
    """Contribution id → (round, text) of every text the coverage counts."""
    base = {}
    for round_ in dialogue.rounds:
        kind = get_kind(round_.kind)
        if kind is None:
            continue
        pairs = dict(masked_pairs(kind.analysis_texts(round_), round_id=round_.id))
        targets = dict(
            Session.execute(
                select(Contribution.id, Contribution.target).where(
                    Contribution.round_id == round_.id, Contribution.target.is_not(None)
                )
            ).all()
        )
        for cid, text in pairs.items():
            if proposal_id_of(targets.get(cid)) is None:
                base[cid] = (round_, text)
    return base


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
    base = base_contributions(dialogue)
    finals = [graph.proposals[i] for i in sorted(graph.final_ids())]
    reached = set().union(*(graph.contributions_behind(p) for p in finals)) & set(base)
    authors = visible_authors(set(base))
    everyone = set(authors.values())
    reached_authors = {authors[cid] for cid in reached if cid in authors}
    shown_people = len(everyone) >= k
    theme_marks, text_marks = _marks(dialogue)
    return Coverage(
        contributions=len(base),
        reached_contributions=len(reached),
        participants=len(everyone) if shown_people else None,
        reached_participants=len(reached_authors) if shown_people else None,
        rounds=_by_round(dialogue, base, reached),
        themes=_sorted(_uncovered_themes(graph, finals, authors, theme_marks, k), sort),
        texts=_uncovered_texts(graph, base, reached, text_marks),
    )


def _by_round(dialogue: Dialogue, base, reached) -> list[RoundCoverage]:
    rows = []
    for round_ in dialogue.rounds:
        ids = [cid for cid, (r, _text) in base.items() if r.id == round_.id]
        if ids:
            rows.append(RoundCoverage(round_.title, len(ids), sum(cid in reached for cid in ids)))
    return rows


def _uncovered_themes(graph: Graph, finals, authors, marks, k: int) -> list[UncoveredTheme]:
    covered = {t.id for p in finals for t in graph.source_themes(p)}
    rows = []
    for theme in graph.themes.values():
        if theme.state not in ACTIVE_STATES or theme.id in covered:
            continue
        ids = [cid for cid in graph.members.get(theme.id, ()) if cid in authors]
        distinct = len({authors[cid] for cid in ids})
        round_ = _round_of(theme)
        rows.append(
            UncoveredTheme(
                theme.id,
                theme.label,
                round_.title,
                round_.position,
                len(ids),
                distinct if distinct >= k else None,
                marks.get(theme.id),
            )
        )
    return rows


def _round_of(theme: Theme):
    from dialogue.models import Round

    return Session.get(Round, theme.round_id)


def _uncovered_texts(graph: Graph, base, reached, marks) -> list[UncoveredText]:
    themed = {cid for ids in graph.members.values() for cid in ids}
    rows = [
        UncoveredText(cid, round_.title, round_.position, text, marks.get(cid))
        for cid, (round_, text) in base.items()
        if cid not in reached and cid not in themed
    ]
    return sorted(rows, key=lambda row: (row.round_position, row.text.casefold()))


def _sorted(themes: list[UncoveredTheme], sort: str) -> list[UncoveredTheme]:
    if sort == "label":
        return sorted(themes, key=lambda t: t.label.casefold())
    if sort == "round":
        return sorted(themes, key=lambda t: (t.round_position, -t.contributions))
    return sorted(themes, key=lambda t: (-t.contributions, t.label.casefold()))
