"""The workbench's history: restorable snapshots of themes and the log of every edit.

A snapshot records the fields and members of some themes, single placements of texts in themes
(where an edit takes a text out of a theme and leaves the rest as it is) and the moderation of
some contributions; restoring it puts exactly that back. Edits store the snapshot taken before
they changed anything, so one undo works for every kind of edit. Flushes only, never commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    ContributionModeration,
    ModerationState,
    Round,
    Theme,
    ThemeEdit,
    ThemeMember,
)
from dialogue.core.models.analysis import MemberSource, ThemeState


def snapshot(
    themes: Sequence[Theme],
    contributions: Sequence[Contribution] = (),
    placements: Sequence[ThemeMember] = (),
) -> dict[str, Any]:
    """The restorable state of `themes` (fields and members), `placements` and `contributions`.

    A placement is kept alone, without the rest of its theme: a theme of 180,000 texts is 10 MB.
    Of contributions, their moderation.
    """
    return {
        "themes": [
            {
                "id": theme.id,
                "label": theme.label,
                "description": theme.description,
                "top_terms": list(theme.top_terms),
                "state": theme.state.value,
                "has_custom_label": theme.has_custom_label,
                "merged_into_id": theme.merged_into_id,
                "members": [
                    [str(m.contribution_id), m.source.value, m.score] for m in theme.members
                ],
            }
            for theme in themes
        ],
        "placements": [
            [m.theme_id, str(m.contribution_id), m.source.value, m.score] for m in placements
        ],
        "contributions": [
            {"id": str(contribution.id), "moderation": contribution.moderation.value}
            for contribution in contributions
        ],
    }


def restore(state: dict[str, Any]) -> None:
    """Put themes and contributions back as :func:`snapshot` recorded them."""
    themes = [(Session.get(Theme, saved["id"]), saved) for saved in state.get("themes", [])]
    for theme, _saved in themes:
        if theme is not None:
            theme.members.clear()
    Session.flush()  # members are unique per theme: delete before re-inserting
    for theme, saved in themes:
        if theme is None:
            continue
        theme.label, theme.description = saved["label"], saved["description"]
        theme.top_terms = saved.get("top_terms", theme.top_terms)  # older steps lack them
        theme.state = ThemeState(saved["state"])
        theme.has_custom_label = saved["has_custom_label"]
        theme.merged_into_id = saved["merged_into_id"]
        theme.members.extend(
            ThemeMember(contribution_id=uuid.UUID(cid), source=MemberSource(source), score=score)
            for cid, source, score in saved["members"]
        )
    for theme_id, cid, source, score in state.get("placements", []):  # older steps lack them
        theme = Session.get(Theme, theme_id)
        if theme is not None:
            # Added beside the theme's members, which stay unread: appending would load them all.
            Session.add(
                ThemeMember(
                    theme_id=theme_id,
                    contribution_id=uuid.UUID(cid),
                    source=MemberSource(source),
                    score=score,
                )
            )
            Session.expire(theme, ["members"])
    for saved in state.get("contributions", []):
        _restore_moderation(uuid.UUID(saved["id"]), ModerationState(saved["moderation"]))
    Session.flush()


def _restore_moderation(contribution_id: uuid.UUID, moderation: ModerationState) -> None:
    contribution = Session.get(Contribution, contribution_id)
    if contribution is None:
        return
    contribution.moderation = moderation
    if moderation is ModerationState.VISIBLE:
        note = Session.scalar(
            select(ContributionModeration).where(
                ContributionModeration.contribution_id == contribution_id
            )
        )
        if note is not None:
            Session.delete(note)


def log_edit(
    round_id: int,
    actor_id: int | None,
    action: str,
    summary: str,
    before: dict[str, Any],
    *,
    part: str,
    created: Sequence[int] = (),
) -> ThemeEdit:
    """Add the edit to the history of the round's ``part`` and to the audit trail."""
    round_ = Session.get(Round, round_id)
    edit = ThemeEdit(
        round_id=round_id,
        part=part,
        actor_id=actor_id,
        action=action,
        summary=summary[:300],
        before=before,
        after={"created": list(created)},
    )
    Session.add(edit)
    Session.flush()
    record_event(
        actor_id,
        f"theme.{action}",
        round_.dialogue,
        subject=f"round:{round_id}",
        edit_id=edit.id,
        themes=sorted(
            {saved["id"] for saved in before["themes"]}
            | {theme_id for theme_id, *_rest in before.get("placements", [])}
            | set(created)
        ),
    )
    return edit
