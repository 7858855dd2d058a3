"""The figures of a round's themes: sizes, best-fitting quotes and the unassigned count.

Quotes are ordered by fit to the theme, never by who wrote them or when. The figures are
stored in the results cache until the themes change. A closed round's are computed by its job
(``dialogue.core.results_cache.final``), which an edit or a run starts, never by a page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, false, func, select

from analysis.name_fit import fits_name
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Contribution, ModerationState, Round, Theme, ThemeMember
from dialogue.core.models.analysis import ACTIVE_STATES
from dialogue.core.results_cache.final import stored_or_later, warmer
from dialogue.core.results_cache.store import cached, is_cacheable
from rounds import get_kind
from rounds.identifying import masked_pairs
from rounds.release import shown_to_staff
from rounds.theme_run.reading import list_active_themes, theme_parts

N_QUOTES = 3


@dataclass(frozen=True)
class ThemeSummary:
    """One theme as the round's workbench page lists it."""

    theme: Theme
    size: int
    quotes: list[str] = field(default_factory=list)
    #: Per quote: whether it shares a word with the theme's name. One that does not is never
    #: quoted outside the workbench (``dialogue.synthesis.queries.feedback``), so the consultant
    #: is told.
    fits: list[bool] = field(default_factory=list)


def part_texts(round_: Round, part: str):
    """A condition on ``Contribution``: the visible texts of the round's ``part`` staff may see."""
    kind = get_kind(round_.kind)
    condition = kind.analysis_condition(round_, part) if kind is not None else None
    if condition is None:
        return false()
    return and_(condition, shown_to_staff(round_, utcnow()))


def active_themes(round_: Round, part: str = "") -> list[Theme]:
    """The part's suggested and accepted themes without their members, by name."""
    themes = list_active_themes(round_, part, members=False)
    return sorted(themes, key=lambda theme: (theme.label, theme.id))


def list_theme_summaries(round_: Round, part: str, figures: dict[str, Any]) -> list[ThemeSummary]:
    """The part's active themes, largest first, each with its size and best-fitting quotes.

    Sizes and quotes come from the part's :func:`theme_figures`.
    """
    sizes, quotes = figures["sizes"], figures["quotes"]
    language = round_.dialogue.language
    summaries = []
    for theme in active_themes(round_, part):
        shown = list(quotes.get(theme.id, ()))
        fits = [fits_name(quote, theme.label, language) for quote in shown]
        summaries.append(ThemeSummary(theme, sizes.get(theme.id, 0), shown, fits))
    return sorted(summaries, key=lambda s: (-s.size, s.theme.id))


def theme_figures(round_: Round, part: str = "") -> dict[str, Any] | None:
    """Theme sizes, quotes and the number of unassigned texts of a part, once per state.

    At a million contributions these take a second or more to count, while they only change
    with an edit or a run (each logged as a ``ThemeEdit``) or, in an open round, with new input.
    They are stored in ``round_results_cache`` under that fingerprint, so every app server
    reuses them until the themes change. A closed round's are computed by its job (see
    :func:`_warm_workbench`): a page that finds none stored for the themes as they are now gets
    None, never the figures of an earlier state. An open round's count changes with every new
    text, so they are computed where they are asked for, as a job could never keep up.
    """
    # The cache's variant names the part briefly: a draft value's key may be long.
    variant = f"workbench:{hashlib.sha256(part.encode()).hexdigest()[:16]}" if part else "workbench"
    compute = lambda: _compute_figures(round_, part)  # noqa: E731 - a one-line closure
    if is_cacheable(round_):
        return stored_or_later(round_, variant, compute, None)
    size = Session.scalar(
        select(func.count())
        .select_from(Contribution)
        .where(Contribution.round_id == round_.id, shown_to_staff(round_, utcnow()))
    )
    return cached(round_, variant, compute, always=True, extra=(size,))


@warmer
def _warm_workbench(round_: Round) -> None:
    """Store every part's figures in the closed round's job, which each edit starts.

    A round without parts (nothing themed yet, or a kind without free text) still has its
    workbench page, of the plain part.
    """
    for part in [part for part, _label in theme_parts(round_)] or [""]:
        theme_figures(round_, part)


def theme_sizes(round_: Round) -> dict[int, int]:
    """The sizes of the round's themes in every part, from the stored figures of each part.

    Where a job is computing a part's figures, its sizes are counted here (for staff pages
    other than the workbench, such as a proposal's choice of themes).
    """
    parts = Session.scalars(
        select(Theme.part)
        .where(Theme.round_id == round_.id, Theme.state.in_(ACTIVE_STATES))
        .distinct()
    )
    sizes: dict[int, int] = {}
    for part in parts.all():
        figures = theme_figures(round_, part)
        if figures is None:  # the sizes alone: one grouped count, a fraction of the figures
            figures = {"sizes": _sizes([theme.id for theme in active_themes(round_, part)])}
        sizes.update(figures["sizes"])
    return sizes


def _compute_figures(round_: Round, part: str) -> dict[str, Any]:
    theme_ids = list(
        Session.scalars(
            select(Theme.id).where(
                Theme.round_id == round_.id, Theme.part == part, Theme.state.in_(ACTIVE_STATES)
            )
        )
    )
    return {
        "sizes": _sizes(theme_ids),
        "quotes": _quotes(theme_ids),
        "n_unassigned": _count_unassigned(round_, part, theme_ids),
    }


def _sizes(theme_ids: list[int]) -> dict[int, int]:
    return dict(
        Session.execute(
            select(ThemeMember.theme_id, func.count())
            .where(ThemeMember.theme_id.in_(theme_ids))
            .group_by(ThemeMember.theme_id)
        ).all()
    )


def _hidden_in_themes(round_: Round, theme_ids: list[int]) -> Select:
    """Hidden contributions of the round that active themes still hold (normally none).

    Starts from the round's hidden contributions, which a partial index finds at once.
    """
    return (
        select(ThemeMember.contribution_id)
        .join(Contribution, Contribution.id == ThemeMember.contribution_id)
        .where(
            Contribution.round_id == round_.id,
            Contribution.moderation == ModerationState.HIDDEN,
            ThemeMember.theme_id.in_(theme_ids),
        )
    )


def _count_unassigned(round_: Round, part: str, theme_ids: list[int]) -> int:
    """The part's visible texts that none of its themes holds: all its texts less those placed.

    Two counts instead of an anti-join over every contribution (seconds at a million).
    """
    texts = Session.scalar(
        select(func.count()).select_from(Contribution).where(part_texts(round_, part))
    )
    if not theme_ids:
        return texts
    placed = Session.scalar(
        select(func.count(func.distinct(ThemeMember.contribution_id))).where(
            ThemeMember.theme_id.in_(theme_ids)
        )
    )
    hidden = Session.scalar(
        select(func.count(func.distinct(ThemeMember.contribution_id))).where(
            ThemeMember.contribution_id.in_(_hidden_in_themes(round_, theme_ids))
        )
    )
    return max(texts - (placed - hidden), 0)


def _quotes(theme_ids: list[int]) -> dict[int, list[str]]:
    """The best-fitting visible texts of each theme (at most ``N_QUOTES``).

    Best fitting first, then texts placed by hand (no score) by id. One short query per theme
    that walks the partial index on (theme_id, score) from the top, instead of ranking every
    member of every theme.
    """
    quotes: dict[int, list[str]] = {}
    for theme_id in theme_ids:
        base = (
            select(Contribution.id, Contribution.body)
            .join(ThemeMember, ThemeMember.contribution_id == Contribution.id)
            .where(
                ThemeMember.theme_id == theme_id,
                Contribution.moderation == ModerationState.VISIBLE,
            )
        )
        found = list(
            Session.execute(
                base.where(ThemeMember.score.is_not(None))
                .order_by(ThemeMember.score.desc(), ThemeMember.contribution_id)
                .limit(N_QUOTES)
            )
        )
        if len(found) < N_QUOTES:
            found += Session.execute(
                base.where(ThemeMember.score.is_(None))
                .order_by(ThemeMember.contribution_id)
                .limit(N_QUOTES - len(found))
            )
        if found:
            quotes[theme_id] = [body or "" for _cid, body in masked_pairs(found)]
    return quotes


def count_theme_members(theme: Theme) -> int:
    """How many visible contributions ``theme`` holds, from the index rather than a join."""
    round_ = Session.get(Round, theme.round_id)
    members = Session.scalar(
        select(func.count()).select_from(ThemeMember).where(ThemeMember.theme_id == theme.id)
    )
    hidden = Session.scalar(
        select(func.count()).select_from(_hidden_in_themes(round_, [theme.id]).subquery())
    )
    return members - hidden
