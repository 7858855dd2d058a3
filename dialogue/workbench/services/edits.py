"""The consultant's edits of a round's themes, each logged with what it needs to be undone.

Every edit takes a snapshot of the themes and contributions it is about to touch, changes them,
and stores the snapshot in a ``ThemeEdit`` together with an audit event
(:mod:`dialogue.workbench.services.history`). Undo restores the latest snapshot, so it works the
same way for every kind of edit. A run of the analysis is logged as a step that undo does not
cross. Contributions placed by the consultant are stored as
``manual`` members, which later runs leave where they are.

Operations flush and never commit; the view or command that calls them commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dialogue.core.audit import record_event
from dialogue.core.clock import utcnow
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
from dialogue.core.models.analysis import (
    ACTIVE_STATES,
    HideReason,
    MemberSource,
    ThemeOrigin,
    ThemeState,
)
from dialogue.workbench.queries.members import themes_holding, visible_contributions
from dialogue.workbench.services.history import log_edit, restore, snapshot
from rounds.errors import RoundError
from rounds.theme_run.describing import redescribe_themes


class WorkbenchError(RoundError):
    """An edit that cannot be made as asked; nothing was changed."""


# --- the edits --------------------------------------------------------------------------------


def rename_theme(
    theme: Theme, *, label: str, description: str = "", actor_id: int | None = None
) -> Theme:
    """Give a theme the consultant's name and description; later runs keep the name."""
    label = " ".join(label.split())
    if not label:
        raise WorkbenchError(_l("A theme needs a name."), field="label")
    require_active(theme)
    before = snapshot([theme])
    renamed = label != theme.label
    theme.label, theme.description = label, description.strip()
    theme.has_custom_label = theme.has_custom_label or renamed
    action = "rename" if renamed else "describe"
    log_edit(theme.round_id, actor_id, action, label, before, part=theme.part)
    return theme


def accept_theme(theme: Theme, *, actor_id: int | None = None) -> Theme:
    """Mark a suggested theme as reviewed; runs then keep its name even if never renamed."""
    if theme.state is not ThemeState.SUGGESTED:
        raise WorkbenchError(_l("Only a suggested theme can be accepted."))
    before = snapshot([theme])
    theme.state = ThemeState.ACCEPTED
    log_edit(theme.round_id, actor_id, "accept", theme.label, before, part=theme.part)
    return theme


def create_theme(
    round_: Round,
    *,
    label: str,
    description: str = "",
    part: str = "",
    actor_id: int | None = None,
) -> Theme:
    """Add an empty theme of the consultant's own to a part of the round, to move texts into."""
    label = " ".join(label.split())
    if not label:
        raise WorkbenchError(_l("A theme needs a name."), field="label")
    theme = Theme(
        round_id=round_.id,
        part=part,
        label=label,
        description=description.strip(),
        state=ThemeState.ACCEPTED,
        origin=ThemeOrigin.MANUAL,
        has_custom_label=True,
    )
    Session.add(theme)
    Session.flush()
    log_edit(round_.id, actor_id, "create", label, snapshot([]), part=part, created=[theme.id])
    return theme


def merge_themes(
    round_: Round, sources: Sequence[Theme], target: Theme, *, actor_id: int | None = None
) -> Theme:
    """Move the members of `sources` into `target`; the sources stay, marked as merged into it."""
    sources = [theme for theme in sources if theme.id != target.id]
    if not sources:
        raise WorkbenchError(_l("Choose at least one other theme to merge."))
    for theme in [*sources, target]:
        _require_in_round(theme, round_)
        require_active(theme)
        _require_part(theme, target.part)
    before = snapshot([*sources, target])
    present = {member.contribution_id for member in target.members}
    for theme in sources:
        for member in theme.members:
            if member.contribution_id not in present:
                present.add(member.contribution_id)
                target.members.append(manual_member(member.contribution_id, member.score))
        theme.members.clear()
        theme.state, theme.merged_into_id = ThemeState.MERGED, target.id
    Session.flush()
    redescribe_themes(round_, [target])
    labels = " + ".join(theme.label for theme in sources)
    log_edit(round_.id, actor_id, "merge", f"{labels} → {target.label}", before, part=target.part)
    return target


def move_contributions(
    round_: Round,
    contribution_ids: Iterable[uuid.UUID],
    target: Theme | None,
    *,
    part: str = "",
    actor_id: int | None = None,
) -> int:
    """Move texts of one part into `target` (None: the part's unassigned group); say how many.

    Only texts of the target's part can move: a strength never lands in a theme of weaknesses.
    """
    if target is not None:
        _require_in_round(target, round_)
        require_active(target)
        part = target.part
    contributions = visible_contributions(round_, contribution_ids, part)
    if not contributions:
        raise WorkbenchError(_l("Choose at least one contribution to move."))
    ids = {contribution.id for contribution in contributions}
    holders = themes_holding(round_, ids, part)
    affected = holders + ([target] if target is not None and target not in holders else [])
    before = snapshot(affected)
    scores = {}
    for theme in holders:
        for member in [m for m in theme.members if m.contribution_id in ids]:
            scores.setdefault(member.contribution_id, member.score)
            theme.members.remove(member)
    Session.flush()
    if target is not None:
        target.members.extend(manual_member(cid, scores.get(cid)) for cid in sorted(ids))
        Session.flush()
    redescribe_themes(round_, affected)
    summary = target.label if target is not None else "—"
    log_edit(round_.id, actor_id, "move", f"{len(ids)} → {summary}", before, part=part)
    return len(ids)


def hide_contribution(
    contribution: Contribution,
    *,
    reason: HideReason,
    note: str = "",
    part: str = "",
    actor_id: int | None = None,
) -> Contribution:
    """Take a contribution out of the analysis and the quotes (off-topic or identifying).

    The step is logged in the history of ``part``, the part the consultant hid it from.
    """
    if contribution.moderation is ModerationState.HIDDEN:
        raise WorkbenchError(_l("This contribution is hidden already."))
    # Only its own placements are read, deleted and kept for undo, never its themes' members:
    # rewriting a theme of 180,000 texts to drop one took minutes.
    placements = Session.scalars(
        select(ThemeMember)
        .join(Theme, Theme.id == ThemeMember.theme_id)
        .where(
            ThemeMember.contribution_id == contribution.id,
            Theme.round_id == contribution.round_id,
            Theme.state.in_(ACTIVE_STATES),
        )
    ).all()
    before = snapshot([], [contribution], placements)
    for placement in placements:
        Session.delete(placement)
    contribution.moderation = ModerationState.HIDDEN
    Session.add(
        ContributionModeration(contribution_id=contribution.id, reason=reason, note=note.strip())
    )
    Session.flush()
    for placement in placements:  # a theme whose members were read must not keep the text
        Session.expire(Session.get(Theme, placement.theme_id), ["members"])
    log_edit(contribution.round_id, actor_id, "hide", "", before, part=part)
    return contribution


def undo_last_edit(round_: Round, *, part: str = "", actor_id: int | None = None) -> ThemeEdit:
    """Undo the latest edit of the round's ``part`` not undone yet, back to its latest run."""
    edit = Session.scalar(
        select(ThemeEdit)
        .where(
            ThemeEdit.round_id == round_.id,
            ThemeEdit.part == part,
            ThemeEdit.undone_at.is_(None),
        )
        .order_by(ThemeEdit.id.desc())
        .limit(1)
    )
    if edit is None:
        raise WorkbenchError(_l("There is nothing to undo."))
    if edit.action == "run":
        raise WorkbenchError(_l("The last step was an analysis run, which cannot be undone."))
    for theme_id in edit.after.get("created", []):
        theme = Session.get(Theme, theme_id)
        if theme is not None:
            Session.delete(theme)
    Session.flush()
    restore(edit.before)
    edit.undone_at = utcnow()
    record_event(
        actor_id,
        "theme.undo",
        round_.dialogue,
        subject=f"round:{round_.id}",
        edit_id=edit.id,
        undone_action=edit.action,
    )
    return edit


# --- helpers ----------------------------------------------------------------------------------


def manual_member(contribution_id: uuid.UUID, score: float | None) -> ThemeMember:
    """A member the consultant placed: later runs leave it where it is."""
    return ThemeMember(contribution_id=contribution_id, source=MemberSource.MANUAL, score=score)


def require_active(theme: Theme) -> None:
    """Refuse to change a theme that was merged or retired."""
    if theme.state not in ACTIVE_STATES:
        raise WorkbenchError(_l("This theme was merged or retired and can no longer be changed."))


def _require_in_round(theme: Theme, round_: Round) -> None:
    if theme.round_id != round_.id:
        raise WorkbenchError(_l("That theme belongs to another round."))


def _require_part(theme: Theme, part: str) -> None:
    if theme.part != part:
        raise WorkbenchError(_l("Themes of different parts of a round cannot be mixed."))
