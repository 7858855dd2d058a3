"""Counts behind the traceability pages, grouped in the database and kept until the input changes.

"Why this value?" and coverage count the visible contributions and distinct authors behind sets
of themes; in a large dialogue that is hundreds of thousands of rows per figure. The database
counts them (one grouped query per figure, never a row per contribution into Python), and the
finished figures are stored in ``round_results_cache`` like closed rounds' results
(:mod:`dialogue.core.results_cache`): under the dialogue's first round, with a fingerprint of
every round (publishing, settings, theme edits and moderation, the size of open rounds) and
of the links the figures follow. Any change to those changes the fingerprint and the next
request recomputes.

While a page is served (:func:`serving_page`) nothing is computed here: at a million texts the
figures take most of a minute. Out-of-date figures computed for the same themes and links are
served as they are and noted (:func:`outdated`); when none are stored for the page's themes and
links (right after a dialogue is generated or imported, or a new link before the job that a
change to the proposals starts has stored them), :class:`FiguresPending` is raised. Asking for
the job that computes them (:mod:`dialogue.synthesis.jobs`) is the page's business, not this
module's: it only reads.

Only counts and quotes (:mod:`dialogue.synthesis.queries.quotes`) that pass the group-size rules
are stored: never a pseudonym.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import TypeVar

from sqlalchemy import func, select, union

from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    Dialogue,
    ModerationState,
    Proposal,
    ThemeEdit,
    ThemeMember,
)
from dialogue.core.results_cache import store
from dialogue.core.results_cache.store import CACHE_FORMAT, cached, is_cacheable
from rounds.traceability import Graph, chunks

T = TypeVar("T")


def _rounds_state(rounds: list) -> list[tuple]:
    """A fingerprint of each round, in three grouped queries for all of them.

    What :func:`dialogue.core.results_cache.store.round_version` covers (publishing, times,
    settings, group size, workbench edits and undos), plus hidden texts (a partial index counts
    them) and the size of rounds still open (they grow).
    """
    ids = [round_.id for round_ in rounds]
    edits = {
        round_id: (last, undone)
        for round_id, last, undone in Session.execute(
            select(ThemeEdit.round_id, func.max(ThemeEdit.id), func.count(ThemeEdit.undone_at))
            .where(ThemeEdit.round_id.in_(ids))
            .group_by(ThemeEdit.round_id)
        )
    }
    hidden = dict(
        Session.execute(
            select(Contribution.round_id, func.count())
            .where(
                Contribution.round_id.in_(ids),
                Contribution.moderation == ModerationState.HIDDEN,
            )
            .group_by(Contribution.round_id)
        ).all()
    )
    open_ids = [round_.id for round_ in rounds if not is_cacheable(round_)]
    sizes = dict(
        Session.execute(
            select(Contribution.round_id, func.count())
            .where(Contribution.round_id.in_(open_ids))
            .group_by(Contribution.round_id)
        ).all()
    )
    return [
        (
            CACHE_FORMAT,
            round_.id,
            round_.is_published,
            round_.opens_at.isoformat(),
            round_.closes_at.isoformat(),
            json.dumps(round_.settings, sort_keys=True, default=str),
            round_.dialogue.min_group_size,
            edits.get(round_.id),
            hidden.get(round_.id, 0),
            sizes.get(round_.id),
        )
        for round_ in rounds
    ]


def cached_for(
    dialogue: Dialogue,
    variant: str,
    compute: Callable[[], T],
    key: tuple,
    round_ids: Iterable[int] | None = None,
) -> T:
    """``compute()``, or what it returned before if nothing in ``key`` and no round changed.

    If only the rounds changed, a page gets what was computed before for the same ``key`` (the
    same themes and links), and the page notes them for a job to compute (:func:`_on_stale`).
    ``round_ids``: the rounds the figures read (default: all), so that input to an open round
    elsewhere does not make them be computed again.
    """
    rounds = dialogue.rounds
    if not rounds:
        return compute()
    stale = _on_stale(dialogue.id)
    if stale is not None:  # a page: what is not stored is computed by the job, never here
        compute = partial(_computed_later, dialogue.id)
    read = set(round_ids) if round_ids is not None else {round_.id for round_ in rounds}
    extra = (key, *_rounds_state([round_ for round_ in rounds if round_.id in read]))
    return cached(
        rounds[0],
        f"synthesis:{variant}",
        compute,
        always=True,
        extra=extra,
        stale=stale,
        question=key,
    )


#: Set while the refresh job runs: it computes what is out of date instead of serving it.
REFRESHING: ContextVar[bool] = ContextVar("refreshing_figures", default=False)
#: Dialogues whose figures the page being served showed out of date.
_OUTDATED: ContextVar[frozenset[int]] = ContextVar("outdated_figures", default=frozenset())


class FiguresPending(Exception):
    """A page's figures were never computed; a job must compute them, and the page says so."""

    def __init__(self, dialogue_id: int) -> None:
        super().__init__(dialogue_id)
        self.dialogue_id = dialogue_id


@contextmanager
def serving_page(serving: bool = True) -> Iterator[None]:
    """Within: read figures as stored (a page), or compute what is missing (anything else)."""
    outdated_token = _OUTDATED.set(frozenset())
    try:
        with store.reading_stored(serving):
            yield
    finally:
        _OUTDATED.reset(outdated_token)


def outdated() -> frozenset[int]:
    """The dialogues whose figures the page being served showed out of date."""
    return _OUTDATED.get()


def _computed_later(dialogue_id: int):
    raise FiguresPending(dialogue_id)


def _on_stale(dialogue_id: int) -> Callable[[], None] | None:
    """What serving out-of-date figures does: on a page, note them; elsewhere, nothing."""
    if REFRESHING.get() or not store.serving_page():
        return None

    def stale() -> None:
        _OUTDATED.set(_OUTDATED.get() | {dialogue_id})

    return stale


def source_sizes(graph: Graph, proposal: Proposal, dialogue: Dialogue) -> dict[int, int]:
    """Linked theme id → how many contributions the link reaches, counted once and stored."""
    themes = sorted({s.theme_id for s in proposal.sources if s.theme_id is not None})
    return cached_for(
        dialogue,
        f"sources:{proposal.id}",
        lambda: {theme_id: graph.family_size(theme_id) for theme_id in themes},
        key=(themes, [sorted(graph.active_family(theme_id)) for theme_id in themes]),
        round_ids={graph.themes[theme_id].round_id for theme_id in themes},
    )


def _visible_members(theme_ids: Iterable[int]):
    return (
        select(ThemeMember.theme_id, Contribution.author)
        .join(Contribution, Contribution.id == ThemeMember.contribution_id)
        .where(
            ThemeMember.theme_id.in_(sorted(theme_ids)),
            Contribution.moderation == ModerationState.VISIBLE,
        )
    )


def theme_counts(theme_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Theme id → (its visible contributions, their distinct authors), grouped per theme."""
    counts: dict[int, tuple[int, int]] = {}
    for ids in chunks(sorted(theme_ids)):
        members = _visible_members(ids).subquery()
        rows = Session.execute(
            select(
                members.c.theme_id, func.count(), func.count(func.distinct(members.c.author))
            ).group_by(members.c.theme_id)
        )
        counts.update({theme_id: (n, authors) for theme_id, n, authors in rows})
    return counts


def visible_totals(
    theme_ids: Iterable[int], contribution_ids: Iterable[uuid.UUID] = ()
) -> tuple[int, int]:
    """(Visible contributions, distinct authors) in any of ``theme_ids`` or among the ids given.

    A contribution placed in two of the themes counts once.
    """
    parts = [
        select(ThemeMember.contribution_id.label("id")).where(ThemeMember.theme_id.in_(ids))
        for ids in chunks(sorted(theme_ids))
    ]
    parts += [
        select(Contribution.id.label("id")).where(Contribution.id.in_(ids))
        for ids in chunks(sorted(contribution_ids))
    ]
    if not parts:
        return 0, 0
    ids = union(*parts).subquery()
    row = Session.execute(
        select(func.count(), func.count(func.distinct(Contribution.author)))
        .select_from(Contribution)
        .join(ids, ids.c.id == Contribution.id)
        .where(Contribution.moderation == ModerationState.VISIBLE)
    ).one()
    return row[0], row[1]
