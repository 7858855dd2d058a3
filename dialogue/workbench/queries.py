"""What the workbench pages show, as finished lists: themes, quotes, pages of texts, history.

Contribution texts are shown without authors or times; lists are ordered by fit to the theme or
by the random contribution id, which says nothing about who wrote them or when.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, exists, func, select

from dialogue.db import Session
from dialogue.models import (
    AnalysisRun,
    Contribution,
    ContributionModeration,
    ModerationState,
    Person,
    Round,
    Theme,
    ThemeEdit,
    ThemeMember,
)
from dialogue.models.analysis import ACTIVE_STATES
from rounds.synthesis import get_latest_run

PAGE_SIZE = 50
N_QUOTES = 3
N_DUPLICATE_GROUPS = 20


@dataclass(frozen=True)
class ThemeSummary:
    """One theme as the round's workbench page lists it."""

    theme: Theme
    size: int
    quotes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    """One page of contributions, with what the pager needs."""

    rows: list[Any]
    total: int
    page: int
    pages: int
    query: str


def list_theme_summaries(round_: Round) -> list[ThemeSummary]:
    """The round's active themes, largest first, each with its size and best-fitting quotes."""
    themes = Session.scalars(
        select(Theme).where(Theme.round_id == round_.id, Theme.state.in_(ACTIVE_STATES))
    ).all()
    sizes = dict(
        Session.execute(
            select(ThemeMember.theme_id, func.count())
            .where(ThemeMember.theme_id.in_([theme.id for theme in themes]))
            .group_by(ThemeMember.theme_id)
        ).all()
    )
    quotes = _quotes([theme.id for theme in themes])
    summaries = [ThemeSummary(t, sizes.get(t.id, 0), quotes.get(t.id, [])) for t in themes]
    return sorted(summaries, key=lambda s: (-s.size, s.theme.id))


def _quotes(theme_ids: list[int]) -> dict[int, list[str]]:
    """The best-fitting visible texts of each theme (at most ``N_QUOTES``), in one query."""
    rank = (
        func.row_number()
        .over(
            partition_by=ThemeMember.theme_id,
            order_by=(ThemeMember.score.desc().nulls_last(), ThemeMember.contribution_id),
        )
        .label("rank")
    )
    ranked = (
        select(ThemeMember.theme_id, Contribution.body, rank)
        .join(Contribution, Contribution.id == ThemeMember.contribution_id)
        .where(
            ThemeMember.theme_id.in_(theme_ids),
            Contribution.moderation == ModerationState.VISIBLE,
        )
        .subquery()
    )
    quotes: dict[int, list[str]] = {}
    rows = Session.execute(
        select(ranked.c.theme_id, ranked.c.body)
        .where(ranked.c.rank <= N_QUOTES)
        .order_by(ranked.c.theme_id, ranked.c.rank)
    )
    for theme_id, body in rows:
        quotes.setdefault(theme_id, []).append(body or "")
    return quotes


def theme_contributions(theme: Theme) -> Select:
    """The theme's visible contributions with their placement, best fitting first."""
    return (
        select(Contribution, ThemeMember)
        .join(ThemeMember, ThemeMember.contribution_id == Contribution.id)
        .where(
            ThemeMember.theme_id == theme.id,
            Contribution.moderation == ModerationState.VISIBLE,
        )
        .order_by(ThemeMember.score.desc().nulls_last(), Contribution.id)
    )


def unassigned_contributions(round_: Round) -> Select:
    """The round's visible texts that no active theme holds, in random-id order."""
    in_a_theme = exists().where(
        ThemeMember.contribution_id == Contribution.id,
        ThemeMember.theme_id == Theme.id,
        Theme.state.in_(ACTIVE_STATES),
    )
    return (
        select(Contribution)
        .where(
            Contribution.round_id == round_.id,
            Contribution.moderation == ModerationState.VISIBLE,
            Contribution.body.is_not(None),
            ~in_a_theme,
        )
        .order_by(Contribution.id)
    )


def count_rows(statement: Select) -> int:
    """How many rows `statement` returns."""
    return Session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))


def page_of(statement: Select, *, page: int, query: str, scalars: bool = True) -> Page:
    """One page of `statement`, its texts filtered by `query` (case-insensitive substring)."""
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Contribution.body.ilike(f"%{escaped}%", escape="\\"))
    total = count_rows(statement)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    limited = statement.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    result = Session.scalars(limited) if scalars else Session.execute(limited)
    return Page(list(result.all()), total, page, pages, query)


def list_duplicate_groups(run: AnalysisRun | None) -> list[list[str]]:
    """The latest run's groups of near-identical texts that are still visible, largest first."""
    if run is None or not run.duplicate_groups:
        return []
    groups = run.duplicate_groups[:N_DUPLICATE_GROUPS]
    ids = {uuid.UUID(cid) for group in groups for cid in group}
    texts = dict(
        Session.execute(
            select(Contribution.id, Contribution.body).where(
                Contribution.id.in_(ids), Contribution.moderation == ModerationState.VISIBLE
            )
        ).all()
    )
    shown = [[texts[uuid.UUID(c)] for c in group if uuid.UUID(c) in texts] for group in groups]
    return [group for group in shown if len(group) >= 2]


def list_hidden(round_: Round) -> list[tuple[Contribution, ContributionModeration | None]]:
    """The round's hidden contributions with the reason they were hidden."""
    return list(
        Session.execute(
            select(Contribution, ContributionModeration)
            .outerjoin(
                ContributionModeration,
                ContributionModeration.contribution_id == Contribution.id,
            )
            .where(
                Contribution.round_id == round_.id,
                Contribution.moderation == ModerationState.HIDDEN,
            )
            .order_by(Contribution.id)
        ).all()
    )


def list_history(round_: Round, limit: int = 30) -> list[tuple[ThemeEdit, str | None]]:
    """The round's latest workbench steps, newest first, with the staff member's name."""
    return list(
        Session.execute(
            select(ThemeEdit, Person.name)
            .outerjoin(Person, Person.id == ThemeEdit.actor_id)
            .where(ThemeEdit.round_id == round_.id)
            .order_by(ThemeEdit.id.desc())
            .limit(limit)
        ).all()
    )


def can_undo(round_: Round) -> bool:
    """Whether the round has an edit since its latest run that is not undone."""
    latest = Session.scalar(
        select(ThemeEdit.action)
        .where(and_(ThemeEdit.round_id == round_.id, ThemeEdit.undone_at.is_(None)))
        .order_by(ThemeEdit.id.desc())
        .limit(1)
    )
    return latest is not None and latest != "run"


def round_workbench(round_: Round) -> dict[str, Any]:
    """Everything the round's workbench page shows, as template variables."""
    run = get_latest_run(round_)
    return {
        "run": run,
        "themes": list_theme_summaries(round_),
        "n_unassigned": count_rows(unassigned_contributions(round_)),
        "duplicate_groups": list_duplicate_groups(run),
        "hidden": list_hidden(round_),
        "history": list_history(round_),
        "can_undo": can_undo(round_),
    }
