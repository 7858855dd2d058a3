"""What the workbench pages show, as finished lists: pages of texts, hidden texts, history.

Contribution texts are shown without authors or times; lists are ordered by fit to the theme or
by the random contribution id, which says nothing about who wrote them or when.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import defer

from dialogue.core.db import Session
from dialogue.core.models import (
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
from dialogue.core.models.analysis import ACTIVE_STATES
from dialogue.workbench.queries.figures import list_theme_summaries, part_texts, theme_figures
from rounds.theme_run.reading import get_latest_run

PAGE_SIZE = 50
N_DUPLICATE_GROUPS = 20


@dataclass(frozen=True)
class Page:
    """One page of contributions, with what the pager needs."""

    rows: list[Any]
    total: int
    page: int
    pages: int
    query: str
    #: True when a search found more than ``COUNT_LIMIT`` matches (``total`` is then the limit).
    more: bool = False


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


def unassigned_contributions(round_: Round, part: str = "") -> Select:
    """The part's visible texts that none of its active themes holds, in random-id order."""
    in_a_theme = exists().where(
        ThemeMember.contribution_id == Contribution.id,
        ThemeMember.theme_id == Theme.id,
        Theme.part == part,
        Theme.state.in_(ACTIVE_STATES),
    )
    return (
        select(Contribution).where(part_texts(round_, part), ~in_a_theme).order_by(Contribution.id)
    )


def count_rows(statement: Select) -> int:
    """How many rows `statement` returns."""
    return Session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))


#: Searches count their matches up to this many; beyond it the pager says "more than".
COUNT_LIMIT = 10_000


def page_of(
    statement: Select,
    *,
    page: int,
    query: str,
    scalars: bool = True,
    total: int | None = None,
) -> Page:
    """One page of `statement`, its texts filtered by `query` (case-insensitive substring).

    ``total``: the number of rows when the caller knows it cheaply. A search counts at most
    ``COUNT_LIMIT`` matches (``Page.more`` is then set): counting every match of a common word
    among a million texts would cost more than the page itself.
    """
    more = False
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Contribution.body.ilike(f"%{escaped}%", escape="\\"))
        total = count_rows(statement.limit(COUNT_LIMIT + 1))
        more = total > COUNT_LIMIT
        total = min(total, COUNT_LIMIT)
    elif total is None:
        total = count_rows(statement)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    limited = statement.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    result = Session.scalars(limited) if scalars else Session.execute(limited)
    return Page(list(result.all()), total, page, pages, query, more)


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


def list_history(
    round_: Round, part: str = "", limit: int = 30
) -> list[tuple[ThemeEdit, str | None]]:
    """The part's latest workbench steps, newest first, with the staff member's name.

    Without what each step changed (``before``, kept for undo): a hidden text of a theme of
    180,000 texts keeps 10 MB there, which the page read on every request.
    """
    return list(
        Session.execute(
            select(ThemeEdit, Person.name)
            .options(defer(ThemeEdit.before))
            .outerjoin(Person, Person.id == ThemeEdit.actor_id)
            .where(ThemeEdit.round_id == round_.id, ThemeEdit.part == part)
            .order_by(ThemeEdit.id.desc())
            .limit(limit)
        ).all()
    )


def can_undo(round_: Round, part: str = "") -> bool:
    """Whether the part has an edit since its latest run that is not undone."""
    latest = Session.scalar(
        select(ThemeEdit.action)
        .where(
            ThemeEdit.round_id == round_.id,
            ThemeEdit.part == part,
            ThemeEdit.undone_at.is_(None),
        )
        .order_by(ThemeEdit.id.desc())
        .limit(1)
    )
    return latest is not None and latest != "run"


def round_workbench(round_: Round, part: str = "") -> dict[str, Any]:
    """Everything the workbench page of one part of a round shows, as template variables.

    ``themes`` and ``n_unassigned`` are None while a job computes the figures.
    """
    run = get_latest_run(round_, part)
    figures = theme_figures(round_, part)
    return {
        "run": run,
        "themes": None if figures is None else list_theme_summaries(round_, part, figures),
        "n_unassigned": None if figures is None else figures["n_unassigned"],
        "duplicate_groups": list_duplicate_groups(run),
        "hidden": list_hidden(round_),
        "history": list_history(round_, part),
        "can_undo": can_undo(round_, part),
    }
