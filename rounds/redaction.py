"""The consultant's review of flagged details in a round, and their redaction.

A redaction replaces the span by a marker in the stored text; the original is kept nowhere.
"""

from __future__ import annotations

import uuid

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.models import Contribution, IdentifyingSpan, Redaction
from dialogue.core.results_cache.store import invalidate
from rounds.identifying import KIND_LABELS


def flagged_in_round(round_id: int) -> list[tuple[Contribution, list[IdentifyingSpan]]]:
    """The round's contributions with flagged spans, each with its spans in text order."""
    rows = Session.execute(
        select(Contribution, IdentifyingSpan)
        .join(IdentifyingSpan, IdentifyingSpan.contribution_id == Contribution.id)
        .where(Contribution.round_id == round_id)
        .order_by(Contribution.id, IdentifyingSpan.span_start)
    )
    grouped: dict[uuid.UUID, tuple[Contribution, list[IdentifyingSpan]]] = {}
    for contribution, span in rows:
        grouped.setdefault(contribution.id, (contribution, []))[1].append(span)
    return list(grouped.values())


def count_flagged(round_id: int) -> int:
    """How many flagged spans wait for the consultant in the round."""
    return Session.scalar(
        select(func.count())
        .select_from(IdentifyingSpan)
        .join(Contribution, Contribution.id == IdentifyingSpan.contribution_id)
        .where(Contribution.round_id == round_id)
    )


def redaction_marker(kind: str, language: str) -> str:
    """The marker stored in place of a redacted span, in the dialogue's language."""
    with force_locale(language):
        return str(_l("[redacted: %(kind)s]", kind=KIND_LABELS.get(kind, kind)))


def redact(span: IdentifyingSpan, *, actor_id: int | None) -> Redaction:
    """Replace the span by a marker in the stored text, and record who did it (flushes only).

    The original is kept nowhere: not in the redaction, not in the audit event, and stored
    results that could hold the text (quotes in the results cache) are dropped, to be
    recomputed from the redacted text. Changing the text makes the flush scan it again, which
    replaces the contribution's remaining spans with ones that fit the new text.
    """
    contribution = span.contribution
    round_ = contribution.round
    body = contribution.body or ""
    marker = redaction_marker(span.kind, round_.dialogue.language)
    contribution.body = body[: span.span_start] + marker + body[span.span_end :]
    redaction = Redaction(contribution_id=contribution.id, kind=span.kind, actor_id=actor_id)
    Session.add(redaction)
    Session.delete(span)
    Session.flush()
    invalidate(round_id=round_.id)
    record_event(
        actor_id,
        "contribution.redact",
        round_.dialogue,
        subject=f"round:{round_.id}",
        contribution=str(contribution.id),
        kind=span.kind,
    )
    return redaction
