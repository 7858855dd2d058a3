"""Fingerprints of published rounds: recorded at each publication, checked by ``dialogue verify``.

The data hashed is what a round publishes about its input – its visible contributions (flagged
details masked as in exports), its themes and the contribution → theme links – in the canonical
form of :mod:`analysis.fingerprint`. Each publication adds a row, so the history of a round's
fingerprints stays; the newest row is the one checked.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import select

from analysis import fingerprint as canonical
from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    Dialogue,
    ModerationState,
    Round,
    RoundFingerprint,
    Theme,
    ThemeMember,
)
from dialogue.core.models.analysis import ACTIVE_STATES
from rounds.identifying import export_marker, masked_pairs


def canonical_form(round_: Round) -> dict:
    """The round's published data as :func:`analysis.fingerprint.canonical_form` wants it."""
    rows = Session.execute(
        select(
            Contribution.id,
            Contribution.target,
            Contribution.data,
            Contribution.body,
            Contribution.created_on,
        ).where(
            Contribution.round_id == round_.id,
            Contribution.moderation == ModerationState.VISIBLE,
        )
    ).all()
    texts = dict(
        masked_pairs([(row.id, row.body) for row in rows], round_id=round_.id, marker=export_marker)
    )
    contributions = [
        {
            "id": str(row.id),
            "target": row.target,
            "data": row.data or {},
            "text": texts[row.id],
            "day": row.created_on.isoformat(),
        }
        for row in rows
    ]
    themes = [
        {
            "id": theme.id,
            "label": theme.label,
            "description": theme.description,
            "state": theme.state.value,
            "merged_into_id": theme.merged_into_id,
        }
        for theme in Session.scalars(select(Theme).where(Theme.round_id == round_.id))
    ]
    links = Session.execute(
        select(ThemeMember.theme_id, ThemeMember.contribution_id)
        .join(Theme, Theme.id == ThemeMember.theme_id)
        .join(Contribution, Contribution.id == ThemeMember.contribution_id)
        .where(
            Theme.round_id == round_.id,
            Theme.state.in_(ACTIVE_STATES),
            Contribution.moderation == ModerationState.VISIBLE,
        )
    )
    return canonical.canonical_form(
        round_.id, round_.kind.value, contributions, themes, [(t, str(c)) for t, c in links]
    )


def compute(round_: Round) -> str:
    """The round's fingerprint as its data stands now."""
    return canonical.fingerprint(canonical_form(round_))


def history(round_: Round) -> list[RoundFingerprint]:
    """Every fingerprint recorded for the round, newest first."""
    return list(
        Session.scalars(
            select(RoundFingerprint)
            .where(RoundFingerprint.round_id == round_.id)
            .order_by(RoundFingerprint.published_at.desc(), RoundFingerprint.id.desc())
        )
    )


def latest(round_: Round) -> RoundFingerprint | None:
    """The fingerprint of the round's current publication, if any."""
    found = history(round_)
    return found[0] if found else None


def record(
    round_: Round, *, now: dt.datetime, actor_id: int | None, newly_published: bool
) -> RoundFingerprint | None:
    """Record the fingerprint of a publication (flushes only).

    A new publication always gets a row. Publishing an already published round again records a
    row only if its data changed (say, after a redaction), so the history lists real changes.
    """
    digest = compute(round_)
    previous = latest(round_)
    if not newly_published and previous is not None and previous.sha256 == digest:
        return None
    row = RoundFingerprint(
        round_id=round_.id, form_version=canonical.VERSION, sha256=digest, published_at=now
    )
    Session.add(row)
    Session.flush()
    if not newly_published:
        record_event(actor_id, "round.republish", round_.dialogue, subject=f"round:{round_.id}")
    return row


class Verdict(enum.Enum):
    """What ``dialogue verify`` says about one published round."""

    OK = "OK"
    CHANGED = "CHANGED"
    MISSING = "MISSING"


@dataclass(frozen=True)
class Check:
    """One round's verdict, with the recorded and the recomputed fingerprint."""

    round: Round
    verdict: Verdict
    recorded: RoundFingerprint | None
    current: str


def verify(dialogue: Dialogue) -> list[Check]:
    """Recompute every published round's fingerprint and compare it with the recorded one.

    A published round without a recorded fingerprint is MISSING: it was published before
    fingerprints existed, or its row was deleted; publishing it again records one.
    """
    checks = []
    for round_ in dialogue.rounds:
        if not round_.is_published:
            continue
        recorded, current = latest(round_), compute(round_)
        if recorded is None:
            verdict = Verdict.MISSING
        elif recorded.sha256 == current:
            verdict = Verdict.OK
        else:
            verdict = Verdict.CHANGED
        checks.append(Check(round_, verdict, recorded, current))
    return checks
