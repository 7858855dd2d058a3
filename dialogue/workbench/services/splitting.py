"""Split a theme: re-cluster its contributions and make a theme of each piece but the largest.

Logged like every edit (``dialogue.workbench.services.history``), so undo removes the new themes
and puts the members back. Flushes only, never commits.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from analysis import ThemeAnalysis
from dialogue.core.db import Session
from dialogue.core.models import Round, Theme
from dialogue.core.models.analysis import MemberSource, ThemeOrigin, ThemeState
from dialogue.workbench.services.edits import WorkbenchError, manual_member, require_active
from dialogue.workbench.services.history import log_edit, snapshot
from rounds.theme_run.reading import round_documents


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
    require_active(theme)
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
        manual_member(cid, score) for cid, score in zip(piece.member_ids, piece.scores, strict=True)
    ]
    Session.add(new)
    Session.flush()
    return new


def theme_round(theme: Theme) -> Round:
    """The round a theme belongs to."""
    return Session.get(Round, theme.round_id)
