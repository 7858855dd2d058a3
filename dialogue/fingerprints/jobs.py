"""A publication's fingerprint, computed in a background job (see ``dialogue.core.jobs``).

Hashing a round of a million texts takes most of a minute, longer than a request may take; the
publishing request commits the publication and leaves the fingerprint to :func:`fingerprint_job`.
Until the job has recorded it, the results page and the public page say it is being computed.
The job then computes the published results, which the first reader would otherwise wait for.
"""

from __future__ import annotations

import datetime as dt

from dialogue.core.db import WRITE_INTENT, Session
from dialogue.core.jobs.context import JobContext
from dialogue.core.jobs.runner import JobActive, enqueue
from dialogue.core.jobs.state import active_job
from dialogue.core.models import Round
from dialogue.core.results_cache.final import finalise
from rounds import fingerprint
from rounds.results.cached import cached_results

KIND = "fingerprint"


def record_later(round_: Round, *, now: dt.datetime, actor_id: int | None, newly: bool) -> bool:
    """Enqueue the fingerprint of the publication just committed; False if one is still running.

    ``newly``: the round was not published before (a new publication always gets a row).
    """
    try:
        enqueue(
            KIND,
            str(round_.id),
            fingerprint_job,
            round_.id,
            now.isoformat(),
            actor_id,
            newly,
            dialogue_id=round_.dialogue_id,
            actor_id=actor_id,
        )
    except JobActive:
        return False
    return True


def fingerprint_job(
    job: JobContext, round_id: int, published_at: str, actor_id: int | None, newly: bool
) -> None:
    """Record the fingerprint of the round's publication, unless it was withdrawn meanwhile."""
    round_ = Session.get(Round, round_id)
    if round_ is None or not round_.is_published:
        return
    published = dt.datetime.fromisoformat(published_at)
    fingerprint.record(round_, now=published, actor_id=actor_id, newly_published=newly)
    job.commit()
    _store_results(round_)


def _store_results(round_: Round) -> None:
    """Compute the published results for their pages now, so no reader waits seconds for them.

    Publishing changes what the stored results depend on. They are stored in transactions of
    their own (``dialogue.core.results_cache``), so on SQLite the job must not hold the write lock
    meanwhile.
    """
    intent = WRITE_INTENT.set(False)
    try:
        cached_results(round_, staff=False)
        finalise(round_)  # the staff's final figures, unless stored already
    finally:
        WRITE_INTENT.reset(intent)


def pending(round_: Round) -> bool:
    """Whether a fingerprint of this round is being computed."""
    return active_job(KIND, str(round_.id)) is not None
