"""Closed rounds' final figures, computed once by a job and never again.

Figures that depend on who belongs to which department or role group (breakdowns, participation
by group) are different from the rest of the cache: recomputing them after a membership change
would let an admin move one person and read the difference. They are *final*: :func:`final`
returns what the first computation after the round closed stored, whatever changes later, and
that computation runs in a job (:func:`finalise_job`) as soon as a page sees the round closed, so
no page waits for it.

While a page is served (``store.reading_stored``), results that others may read before staff
do (participants', the public's) are not computed either: the caller leaves them to the same job
(:func:`stored_or_later`) and the page says they are being computed (``store.serving_page``).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import func, select

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Round, RoundResultsCache
from dialogue.core.results_cache.codec import decode, encode
from dialogue.core.results_cache.store import cached, is_cacheable, serving_page, store_entry

#: The job kind that computes a closed round's final figures.
FINAL_KIND = "final-results"

T = TypeVar("T")

#: variant → the computation of a closed round's final value of it (see :func:`finaliser`).
_FINALISERS: dict[str, Callable[[Round], Any]] = {}
#: What else the job of a closed round stores while it is at it (see :func:`warmer`).
_WARMERS: list[Callable[[Round], Any]] = []


def finaliser(variant: str):
    """Register ``func(round_)`` as the computation of the final ``variant`` of closed rounds."""

    def register_it(func: Callable[[Round], Any]) -> Callable[[Round], Any]:
        _FINALISERS[variant] = func
        return func

    return register_it


def warmer(func: Callable[[Round], Any]) -> Callable[[Round], Any]:
    """Register ``func(round_)`` to fill an ordinary cache entry in the job of a closed round.

    Such entries (say, the participants' results) do not depend on membership and may be
    recomputed when their inputs change; stored by the job, the first reader need not wait.
    """
    _WARMERS.append(func)
    return func


def _final_version(round_: Round) -> str:
    """What may still change a closed round's final figures: only new input after a reopening.

    Not the membership, not moderation, not the threshold, not the settings: a later change of
    any of these and a recomputation would let the two versions be set against each other.
    A round reopened and answered again has more contributions, and gets new final figures.
    """
    count = Session.scalar(
        select(func.count()).select_from(Contribution).where(Contribution.round_id == round_.id)
    )
    return hashlib.sha256(repr(("final", count)).encode()).hexdigest()


def _stored_final(round_: Round, variant: str) -> Any:
    row = Session.scalar(
        select(RoundResultsCache).where(
            RoundResultsCache.round_id == round_.id,
            RoundResultsCache.variant == f"{variant}:final",
        )
    )
    if row is None or row.version != _final_version(round_):
        return None
    try:
        return decode(row.payload)
    except (KeyError, TypeError, ValueError):
        return None


def final(round_: Round, variant: str) -> Any:
    """The closed round's final ``variant``, or None while a job computes it (it is started here).

    With the inline job runner (tests, ``JOBS_RUNNER=inline``) the job has run when this
    returns, and so the value is there.
    """
    value = _stored_final(round_, variant)
    if value is None and is_cacheable(round_):
        finalise_later(round_)
        value = _stored_final(round_, variant)
    return value


class _Later(Exception):
    """A page found no up-to-date value stored: the closed round's job computes it."""


def stored_or_later(round_: Round, variant: str, compute: Callable[[], T], pending: T) -> T:
    """``cached(round_, variant, compute)``, except that a page never computes it.

    On a page (:func:`serving_page`) a value not stored for the round as it is now starts the
    closed round's job and ``pending`` is returned, never the value of an earlier state.
    Elsewhere (the job, exports, commands, tests with jobs run inline) it is computed.
    """

    def compute_apart() -> T:
        if serving_page():
            raise _Later
        return compute()

    try:
        return cached(round_, variant, compute_apart)
    except _Later:
        finalise_later(round_)
        return pending


def finalise_later(round_: Round) -> None:
    """Have a job compute the round's final figures (once: a second request finds it running)."""
    from dialogue.core.jobs.runner import JobActive, enqueue

    with contextlib.suppress(JobActive):
        enqueue(FINAL_KIND, str(round_.id), finalise_job, round_.id, dialogue_id=round_.dialogue_id)


def finalise_job(job, round_id: int) -> None:
    """Compute and store the final figures of a closed round (a job; see ``dialogue.core.jobs``).

    The job itself writes nothing (the entries have transactions of their own), so on SQLite
    its transaction must not take the write lock, which the entries then wait for.
    """
    from dialogue.core.db import WRITE_INTENT

    intent = WRITE_INTENT.set(False)
    try:
        round_ = Session.get(Round, round_id)
        if round_ is not None:
            finalise(round_)
    finally:
        WRITE_INTENT.reset(intent)


def finalise_closed() -> None:
    """Store what every closed round lacks; ``dialogue tick`` runs this every few minutes.

    A round closes by the clock, not by a request, so no request can start its job at the close;
    without this the first reader after it would find its results being computed. A round
    with a job at it already is left to that job. The entries are written in transactions of
    their own, so on SQLite the caller must not hold the write lock meanwhile.
    """
    from dialogue.core.db import WRITE_INTENT
    from dialogue.core.jobs.state import active_job

    intent = WRITE_INTENT.set(False)
    try:
        closed = Session.scalars(
            select(Round).where(Round.closes_at <= utcnow()).order_by(Round.id)
        ).all()
        for round_ in closed:
            if active_job(FINAL_KIND, str(round_.id)) is None:
                finalise(round_)
    finally:
        WRITE_INTENT.reset(intent)


def finalise(round_: Round) -> None:
    """Store the final variants the closed ``round_`` lacks, and fill the :func:`warmer` entries.

    Final variants stored already stay as they are. The entries are written in transactions of
    their own, so on SQLite the caller must not hold the write lock meanwhile.
    """
    from dialogue.core.db import WRITE_INTENT

    if not is_cacheable(round_):
        return
    intent = WRITE_INTENT.set(False)
    try:
        version = _final_version(round_)
        for variant, compute in _FINALISERS.items():
            if _stored_final(round_, variant) is None:
                store_entry(round_.id, f"{variant}:final", version, encode(compute(round_)))
        for warm in _WARMERS:
            warm(round_)
    finally:
        WRITE_INTENT.reset(intent)
