"""One answer per participant and round: storing structured input as an upsert. Flushes only.

Structured kinds (prioritisation, culture, consultation, action) keep one row per author and
*slot* – the whole round, or an item, or an item and aspect. Submitting again while the round is
open replaces the author's rows: slots answered again are updated, new ones added, and slots
left empty this time are deleted. The form's nonce makes a retried POST a no-op: every stored
row carries a key made from the nonce and its slot, so finding one means this very form has
already been stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dialogue.core.db import Session
from dialogue.core.models import Contribution, Round
from rounds import release, submissions


@dataclass(frozen=True)
class AnswerRow:
    """One slot of an answer: its item (or None for the whole round), aspect, text and data."""

    target: str | None
    aspect: str | None = None
    body: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def slot(self) -> tuple[str | None, str | None]:
        """What identifies the row among the author's rows in the round."""
        return (self.target, self.aspect)


def slot_of(contribution: Contribution) -> tuple[str | None, str | None]:
    """The slot a stored contribution fills."""
    return (contribution.target, (contribution.data or {}).get("aspect"))


def _row_key(author: str, nonce: str, round_id: int, slot: tuple[str | None, str | None]) -> str:
    target, aspect = slot
    return submissions.submission_key(author, f"{nonce}|{target or ''}|{aspect or ''}", round_id)


def replace_answer(
    round_: Round, author: str, rows: Sequence[AnswerRow], *, nonce: str, now: dt.datetime
) -> list[Contribution]:
    """Make ``rows`` the author's whole answer in ``round_``; return the stored rows.

    The caller has validated ``rows``; this only checks that the round is open.
    """
    submissions.ensure_open(round_, now)
    nonce = nonce or ""
    existing = submissions.list_own(round_, author, kind_only=True)
    keys = {_row_key(author, nonce, round_.id, row.slot) for row in rows}
    if nonce and any(c.submission_key in keys for c in existing):
        return existing
    by_slot = {}
    for contribution in existing:
        if slot_of(contribution) in by_slot:  # a duplicate from a concurrent first answer
            Session.delete(contribution)
        else:
            by_slot[slot_of(contribution)] = contribution
    wanted = {row.slot: row for row in rows}
    try:
        with Session.begin_nested():
            for slot, contribution in by_slot.items():
                if slot not in wanted:
                    Session.delete(contribution)
            stored = [_upsert(round_, author, row, by_slot, nonce, now) for row in rows]
    except IntegrityError:
        # The same form raced itself; the winner stored exactly this answer.
        return submissions.list_own(round_, author, kind_only=True)
    release.release_waiting(round_)
    return stored


def _upsert(round_, author, row: AnswerRow, by_slot, nonce, now) -> Contribution:
    data = {**row.data, **({"aspect": row.aspect} if row.aspect else {})}
    key = _row_key(author, nonce, round_.id, row.slot) if nonce else None
    contribution = by_slot.get(row.slot)
    if contribution is None:
        contribution = Contribution(
            round_id=round_.id, author=author, target=row.target, created_on=now.date()
        )
        Session.add(contribution)
    if (contribution.body, contribution.data) != (row.body, data):
        release.hold(contribution)  # new or changed: it waits for the next batch
    contribution.body = row.body
    contribution.data = data
    contribution.submission_key = key
    Session.flush()
    return contribution


def own_rows(round_: Round, author: str) -> dict[tuple[str | None, str | None], Contribution]:
    """The author's stored rows in ``round_`` by slot, for showing their current answer."""
    rows = Session.scalars(
        select(Contribution)
        .where(Contribution.round_id == round_.id, Contribution.author == author)
        .order_by(Contribution.id)
    )
    return {slot_of(row): row for row in rows}
