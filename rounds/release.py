"""New input reaches the staff in batches of at least k authors, never one answer at a time.

A consultant who read the list of contributions before and after one person answered would
see that person's text appear, and could set it against who was logged in at that moment.
So while a round is open, a participant's new or changed contribution is stored *waiting*
(``Contribution.released`` false) and staff see only released ones. When at least the
dialogue's minimum group size of distinct authors have input waiting, the request that made
it so releases all of it in one statement: the batch appears at once, holds at least k
people's input, and the list's random-id order mixes it in with the rest. When the round
closes, everything is shown, the last (smaller) batch included.

What is written when: the waiting rows are written as they are submitted, like any
contribution; the release is one UPDATE of all of them, in the transaction of whoever's answer
completed the batch, so the rows' write order within a batch is erased rather than kept.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, Integer, bindparam, false, func, select, true, update

from dialogue.core.db import Session
from dialogue.core.models import Contribution, Round, RoundState


def hold(contribution: Contribution) -> None:
    """Keep a new or changed contribution from the staff until the next batch."""
    contribution.released = False


def _release_statement():
    """The UPDATE of :func:`release_waiting`, built once: building it costs more than it runs."""
    table = Contribution.__table__
    waiting = table.alias("waiting")
    authors = (
        select(func.count(waiting.c.author.distinct()))
        .where(waiting.c.round_id == bindparam("waiting_round"), waiting.c.released == false())
        .scalar_subquery()
    )
    return (
        update(table)
        .where(
            table.c.round_id == bindparam("waiting_round"),
            table.c.released == false(),
            authors >= bindparam("k", type_=Integer),
        )
        .values(released=True)
    )


_RELEASE = _release_statement()


def release_waiting(round_: Round) -> int:
    """Release the round's waiting input once at least k authors have some; the number released.

    One UPDATE whose condition counts the waiting authors, so the count and the release are one
    statement; ``released = false`` (not ``IS``), which SQLite matches to the partial index of
    waiting rows instead of reading the whole round. A Core statement: contributions already
    loaded keep ``released`` as they had it, which nothing reads after the release in the same
    request. Flushes only; the caller commits with the answer that completed the batch.
    """
    Session.flush()
    result = Session.execute(
        _RELEASE, {"waiting_round": round_.id, "k": round_.dialogue.min_group_size}
    )
    return result.rowcount


def shown_to_staff(round_: Round, now: dt.datetime) -> ColumnElement[bool]:
    """The condition on contributions that staff may read in ``round_`` at ``now``."""
    if round_.state_at(now) is RoundState.CLOSED:
        return true()
    return Contribution.released.is_(True)
