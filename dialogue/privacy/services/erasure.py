"""A participant erasing all of their own input; the write flushes only."""

from __future__ import annotations

from sqlalchemy import delete, select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, Dialogue
from dialogue.core.results_cache.store import invalidate
from rounds.questions.answering import erase_answers
from rounds.traceability import chunks, record_withdrawals


def erase_own_input(dialogue: Dialogue, author: str) -> int:
    """Delete everything the author wrote in the dialogue, in open and closed rounds alike.

    The links from the erased texts go with them (theme placements, a value's direct source,
    member checks, coverage marks: ``ON DELETE CASCADE``; an initiative promoted from one
    keeps its place and loses only the pointer, ``SET NULL``). Themes and values stay, with
    their other sources, so nobody else's path is broken, and each one that lost a source
    says so in its trace, as after a withdrawal (``record_withdrawals``). Stored results of
    the rounds are recomputed, so no quote of an erased text stays; a closed round's final
    figures (aggregates only) stay as they are (TARGETS A12).

    Nothing records who erased, or when: no audit event, and the trace's note is a running
    count per theme and value with no date. Staff see a count rise as they see a theme's size
    drop; a dated note listing the themes that lost a source at one moment would group one
    author's texts.
    """
    round_ids = [round_.id for round_ in dialogue.rounds]
    own = Session.execute(
        select(Contribution.id, Contribution.round_id).where(
            Contribution.round_id.in_(round_ids), Contribution.author == author
        )
    ).all()
    record_withdrawals(dialogue, [cid for cid, _round_id in own])
    for ids in chunks([cid for cid, _round_id in own]):
        Session.execute(delete(Contribution).where(Contribution.id.in_(ids)))
    answers = erase_answers(round_ids, author)
    for round_id in round_ids if answers else {round_id for _cid, round_id in own}:
        invalidate(round_id=round_id)
    Session.flush()
    Session.expire_all()
    return len(own) + answers
