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

from sqlalchemy import ColumnElement, func, select, true, update

from dialogue.core.db import Session
from dialogue.core.models import Contribution, Round, RoundState


def hold(contribution: Contribution) -> None:
    """Keep a new or changed contribution from the staff until the next batch."""
    contribution.released = False


def release_waiting(round_: Round) -> int:
    """Release the round's waiting input once at least k authors have some; the number released.

    Flushes only; the caller commits with the answer that completed the batch.
    """
    Session.flush()
    waiting_authors = Session.scalar(
        select(func.count(Contribution.author.distinct())).where(
            Contribution.round_id == round_.id, Contribution.released.is_(False)
        )
    )
    if waiting_authors < round_.dialogue.min_group_size:
        return 0
    result = Session.execute(
        update(Contribution)
        .where(Contribution.round_id == round_.id, Contribution.released.is_(False))
        .values(released=True)
    )
    return result.rowcount


def shown_to_staff(round_: Round, now: dt.datetime) -> ColumnElement[bool]:
    """The condition on contributions that staff may read in ``round_`` at ``now``."""
    if round_.state_at(now) is RoundState.CLOSED:
        return true()
    return Contribution.released.is_(True)
