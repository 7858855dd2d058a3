"""The consultant's decisions on input that reaches no final value. They flush and never commit."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, literal, select

from dialogue.core.audit import record_event
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Contribution, CoverageMark, Dialogue
from dialogue.core.models.proposal import CoverageStatus
from dialogue.synthesis.services.proposals import MAX_NOTE, SynthesisError


def mark_coverage(
    dialogue: Dialogue,
    *,
    theme_id: int | None = None,
    contribution_id: uuid.UUID | None = None,
    status: CoverageStatus | None,
    reason: str = "",
    actor_id: int | None,
) -> CoverageMark | None:
    """Record what happens to input that reaches no final value; ``status=None`` clears it."""
    reason = (reason or "").strip()[:MAX_NOTE]
    if status is CoverageStatus.LEFT_OUT and not reason:
        raise SynthesisError(_l("Please say why it is left out."), "reason")
    column = CoverageMark.theme_id if theme_id is not None else CoverageMark.contribution_id
    key = theme_id if theme_id is not None else contribution_id
    mark = Session.scalar(select(CoverageMark).where(column == key))
    if status is None:
        if mark is not None:
            Session.delete(mark)
            Session.flush()
        return None
    if mark is None:
        mark = CoverageMark(
            dialogue_id=dialogue.id, theme_id=theme_id, contribution_id=contribution_id
        )
        Session.add(mark)
    mark.status, mark.reason, mark.actor_id = status, reason, actor_id
    Session.flush()
    subject = f"theme:{theme_id}" if theme_id is not None else "contribution"
    record_event(actor_id, "coverage.mark", dialogue, subject=subject, status=status.value)
    return mark


def mark_group(
    dialogue: Dialogue,
    ids,
    *,
    status: CoverageStatus | None,
    reason: str = "",
    actor_id: int | None,
) -> int:
    """Record one decision for every text of a coverage group; ``status=None`` clears them.

    ``ids`` is a select of the texts' ids (``uncovered.group_ids``). Two statements whatever the
    group's size, so that a decision on ten thousand texts is as quick as on ten. Returns how
    many texts the decision now covers.
    """
    reason = (reason or "").strip()[:MAX_NOTE]
    if status is CoverageStatus.LEFT_OUT and not reason:
        raise SynthesisError(_l("Please say why it is left out."), "reason")
    Session.execute(delete(CoverageMark).where(CoverageMark.contribution_id.in_(ids)))
    count = 0
    if status is not None:
        rows = ids.with_only_columns(
            literal(dialogue.id, CoverageMark.dialogue_id.type),
            Contribution.id,
            literal(status, CoverageMark.status.type),
            literal(reason, CoverageMark.reason.type),
            literal(utcnow(), CoverageMark.updated_at.type),
            literal(actor_id, CoverageMark.actor_id.type),
        )
        columns = ["dialogue_id", "contribution_id", "status", "reason", "updated_at", "actor_id"]
        # Counted from RETURNING: psycopg reports no rowcount for INSERT … SELECT (-1).
        inserted = insert(CoverageMark).from_select(columns, rows).returning(CoverageMark.id)
        count = len(Session.scalars(inserted).all())
    Session.flush()
    record_event(
        actor_id,
        "coverage.mark",
        dialogue,
        subject="contributions",
        status=status.value if status is not None else None,
        count=count,
    )
    return count
