"""A run's clusters merged into the round's themes, so that the consultant's work stays.

Its clusters are mapped onto the round's existing themes by shared members
(:func:`analysis.match_themes`), so a theme keeps its id, its name (once renamed or accepted) and
its place in any later link. Contributions the consultant placed by hand stay where they are;
only the run's own placements are replaced. What changed is stored on the run
(``AnalysisRun.changes``) for the workbench to show.

Flushes and never commits; the caller commits.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from analysis import match_themes
from dialogue.core.db import Session
from dialogue.core.models import AnalysisRun, Round, Theme, ThemeMember
from dialogue.core.models.analysis import MemberSource, ThemeOrigin, ThemeState
from rounds.theme_run.reading import list_active_themes


def merge_into_themes(round_: Round, run: AnalysisRun, found: tuple) -> list[dict[str, Any]]:
    """Map the run's themes onto the round's themes and replace the run-made placements."""
    themes = list_active_themes(round_, run.part)
    by_id = {theme.id: theme for theme in themes}
    pinned = {
        member.contribution_id
        for theme in themes
        for member in theme.members
        if member.source is MemberSource.MANUAL
    }
    changes = match_themes(
        {theme.id: {member.contribution_id for member in theme.members} for theme in themes},
        [theme.member_ids for theme in found],
    )
    for theme in themes:
        theme.members[:] = [m for m in theme.members if m.source is MemberSource.MANUAL]
    Session.flush()
    records, absorbed_by = [], {}
    for change in changes:
        if change.cluster is None:
            continue
        theme = by_id.get(change.theme_id)
        theme = _place_cluster(round_, run, theme, found[change.cluster], pinned)
        if theme is None:
            continue
        absorbed_by.update(dict.fromkeys(change.previous_ids, theme.id))
        records.append(_change_record(change, theme))
    for change in changes:
        if change.cluster is None:
            records.append(_change_record(change, by_id[change.theme_id]))
    _retire_empty(themes, absorbed_by)
    return records


def _place_cluster(round_, run, theme: Theme | None, found, pinned: set) -> Theme | None:
    """Give a cluster's unpinned members to `theme`, or to a new theme; None if none are left."""
    members = [(cid, score) for cid, score in zip(found.member_ids, found.scores, strict=True)]
    members = [(cid, score) for cid, score in members if cid not in pinned]
    if theme is None:
        if not members:
            return None
        theme = Theme(
            round_id=round_.id,
            part=run.part,
            label=found.label,
            top_terms=list(found.top_terms),
            origin=ThemeOrigin.RUN,
            run_id=run.id,
        )
        Session.add(theme)
    else:
        theme.top_terms = list(found.top_terms)
        if not theme.has_custom_label and theme.state is ThemeState.SUGGESTED:
            theme.label = found.label
    theme.members.extend(
        ThemeMember(contribution_id=cid, source=MemberSource.AUTO, score=float(score))
        for cid, score in members
    )
    Session.flush()
    return theme


def _change_record(change, theme: Theme) -> dict[str, Any]:
    return {
        "theme_id": theme.id,
        "label": theme.label,
        "kind": change.kind,
        "size": len(theme.members),
        "previous_size": change.previous_size,
        "previous_ids": [int(i) for i in change.previous_ids if i != theme.id],
    }


def _retire_empty(themes: list[Theme], absorbed_by: dict[Hashable, int]) -> None:
    """Retire suggested themes the run left empty, pointing to where their members went.

    Accepted themes stay, even empty: the consultant decided to keep them.
    """
    for theme in themes:
        if theme.members or theme.state is not ThemeState.SUGGESTED:
            continue
        theme.state = ThemeState.RETIRED
        target = absorbed_by.get(theme.id)
        theme.merged_into_id = target if target != theme.id else None
    Session.flush()
