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

from analysis import ThemeAnalysis
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
from rounds.theme_run.reading import round_documents


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
    _require_active(theme)
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
        _require_active(theme)
        _require_part(theme, target.part)
    before = snapshot([*sources, target])
    present = {member.contribution_id for member in target.members}
    for theme in sources:
        for member in theme.members:
            if member.contribution_id not in present:
                present.add(member.contribution_id)
                target.members.append(_manual(member.contribution_id, member.score))
        theme.members.clear()
        theme.state, theme.merged_into_id = ThemeState.MERGED, target.id
    Session.flush()
    redescribe_themes(round_, [target])
    labels = " + ".join(theme.label for theme in sources)
    log_edit(round_.id, actor_id, "merge", f"{labels} → {target.label}", before, part=target.part)
    return target


def split_theme(
    theme: Theme,
    *,
    min_group_size: int,
    parts: int = 2,
    seed: int = 0,
    actor_id: int | None = None,
) -> list[Theme]:
    """Re-cluster one theme's contributions and make a new theme of each piece but the largest.

    The largest piece, and any contribution that fits no piece, stays in `theme`. Every member
    of the pieces becomes a manual member, so a later run keeps the split.
    """
    _require_active(theme)
    ids = {member.contribution_id for member in theme.members}
    documents = [doc for doc in round_documents(theme_round(theme), theme.part) if doc.id in ids]
    try:
        found = ThemeAnalysis(parts, min_group_size=min_group_size, random_state=seed).fit(
            documents
        )
    except ValueError as exc:
        raise _cannot_split(min_group_size) from exc
    pieces = found.result_.themes
    if len(pieces) < 2:
        raise _cannot_split(min_group_size)
    before = snapshot([theme])
    new_themes = [_theme_from_piece(theme, piece) for piece in pieces[1:]]
    moved = {cid for piece in pieces[1:] for cid in piece.member_ids}
    scores = dict(zip(pieces[0].member_ids, pieces[0].scores, strict=True))
    theme.members[:] = [m for m in theme.members if m.contribution_id not in moved]
    for member in theme.members:
        member.source, member.score = MemberSource.MANUAL, scores.get(member.contribution_id)
    Session.flush()
    created = [new.id for new in new_themes]
    log_edit(
        theme.round_id, actor_id, "split", theme.label, before, part=theme.part, created=created
    )
    return new_themes


def _cannot_split(min_group_size: int) -> WorkbenchError:
    return WorkbenchError(
        _l(
            "This theme cannot be split into groups of at least %(count)d contributions.",
            count=min_group_size,
        )
    )


def _theme_from_piece(theme: Theme, piece) -> Theme:
    new = Theme(
        round_id=theme.round_id,
        part=theme.part,
        label=piece.label,
        top_terms=list(piece.top_terms),
        origin=ThemeOrigin.SPLIT,
        state=ThemeState.SUGGESTED,
    )
    new.members = [
        _manual(cid, score) for cid, score in zip(piece.member_ids, piece.scores, strict=True)
    ]
    Session.add(new)
    Session.flush()
    return new


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
        _require_active(target)
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
        target.members.extend(_manual(cid, scores.get(cid)) for cid in sorted(ids))
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
    holders = themes_holding(contribution.round, {contribution.id})
    before = snapshot(holders, [contribution])
    for theme in holders:
        theme.members[:] = [m for m in theme.members if m.contribution_id != contribution.id]
    contribution.moderation = ModerationState.HIDDEN
    Session.add(
        ContributionModeration(contribution_id=contribution.id, reason=reason, note=note.strip())
    )
    Session.flush()
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


def theme_round(theme: Theme) -> Round:
    """The round a theme belongs to."""
    return Session.get(Round, theme.round_id)


def _manual(contribution_id: uuid.UUID, score: float | None) -> ThemeMember:
    return ThemeMember(contribution_id=contribution_id, source=MemberSource.MANUAL, score=score)


def _require_active(theme: Theme) -> None:
    if theme.state not in ACTIVE_STATES:
        raise WorkbenchError(_l("This theme was merged or retired and can no longer be changed."))


def _require_in_round(theme: Theme, round_: Round) -> None:
    if theme.round_id != round_.id:
        raise WorkbenchError(_l("That theme belongs to another round."))


def _require_part(theme: Theme, part: str) -> None:
    if theme.part != part:
        raise WorkbenchError(_l("Themes of different parts of a round cannot be mixed."))
