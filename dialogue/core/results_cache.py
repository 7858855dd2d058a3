"""Closed rounds' results, computed once and kept in ``round_results_cache``.

Once a round has closed its input no longer changes, yet its results page would otherwise read
every contribution (a million of them in a large dialogue) and derive every member's pseudonym
on each request. :func:`cached` stores what a computation returned, as JSON, under a version
string; any change that could alter the result (publishing, the round's settings or times, the
anonymity threshold, moderation, membership) changes the version, and the next request
recomputes. Open and upcoming rounds are never cached.

Figures that depend on who belongs to which department or role group (breakdowns, participation
by group) are different: recomputing them after a membership change would let an admin move one
person and read the difference. They are *final*: :func:`final` returns what the first
computation after the round closed stored, whatever changes later, and that computation runs in
a job (:func:`finalise_job`) as soon as a page sees the round closed, so no page waits for it.

While a page is served (:func:`reading_stored`), results that others may read before staff do
(participants', the public's) are not computed either: the caller leaves them to the same job
and the page says they are being computed (:func:`serving_page`).

Only finished aggregates are stored, with small groups already suppressed: never a pseudonym and
never the mapping from members to pseudonyms. The JSON codec rebuilds only the dataclasses
registered here, so nothing in the database can make the app construct arbitrary objects.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import math
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

import numpy as np
from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString
from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    Membership,
    Round,
    RoundResultsCache,
    RoundState,
    ThemeEdit,
)

#: Change this when a cached dataclass changes shape: every stored entry is then recomputed.
#: Final entries (see :func:`final`) are kept whatever the format: they must never change.
CACHE_FORMAT = "2"
#: The job kind that computes a closed round's final figures.
FINAL_KIND = "final-results"
#: Hex digits of a stored version that name the question a value answers (see :func:`cached`).
QUESTION_DIGITS = 16

T = TypeVar("T")
logger = logging.getLogger(__name__)

_REGISTRY: dict[str, type] = {}
_NAMES: dict[type, str] = {}
#: variant → the computation of a closed round's final value of it (see :func:`finaliser`).
_FINALISERS: dict[str, Callable[[Round], Any]] = {}
#: What else the job of a closed round stores while it is at it (see :func:`warmer`).
_WARMERS: list[Callable[[Round], Any]] = []
#: Set while a GET page is served and jobs run apart from the request (not inline): at a million
#: texts a closed round's results take seconds, which no reader should wait for.
_SERVING_PAGE: ContextVar[bool] = ContextVar("serving_page", default=False)


@contextlib.contextmanager
def reading_stored(serving: bool = True) -> Iterator[None]:
    """Within: a page, which reads results as stored and leaves the missing ones to jobs."""
    token = _SERVING_PAGE.set(serving)
    try:
        yield
    finally:
        _SERVING_PAGE.reset(token)


def serving_page() -> bool:
    """Whether a page is being served (see :func:`reading_stored`): compute nothing large."""
    return _SERVING_PAGE.get()


def register(*classes: type, namespace: str | None = None) -> None:
    """Allow the codec to store and rebuild these dataclasses, as ``namespace.ClassName``.

    The name is part of what is stored (default: the class's module). A class that moves to
    another module keeps its old namespace, so that what was stored before still decodes: a
    closed round's final figures are never computed again.
    """
    for cls in classes:
        name = f"{namespace or cls.__module__}.{cls.__qualname__}"
        _REGISTRY[name] = cls
        _NAMES[cls] = name


def _name(cls: type) -> str:
    return _NAMES.get(cls) or f"{cls.__module__}.{cls.__qualname__}"


# --- the codec ---------------------------------------------------------------------------------


def encode(value: Any) -> Any:
    """``value`` as JSON-safe data: registered dataclasses, lazy strings, NaN survive."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = _name(type(value))
        if _REGISTRY.get(name) is not type(value):
            raise TypeError(f"{name} is not registered for the results cache")
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__t": name, "f": fields}
    if isinstance(value, LazyString):
        return {"__l": str(value._args[0]), "kw": encode(value._kwargs)}
    if isinstance(value, dict):
        return {"__d": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {"__f": repr(value)}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def decode(data: Any) -> Any:
    """The value :func:`encode` was given (sequences come back as tuples)."""
    if isinstance(data, list):
        return tuple(decode(v) for v in data)
    if not isinstance(data, dict):
        return data
    if "__t" in data:
        cls = _REGISTRY[data["__t"]]
        return cls(**{name: decode(v) for name, v in data["f"].items()})
    if "__l" in data:
        return lazy_gettext(data["__l"], **decode(data["kw"]))
    if "__d" in data:
        return {decode(k): decode(v) for k, v in data["__d"]}
    if "__f" in data:
        return float(data["__f"])
    raise ValueError("unknown entry in the results cache")


# --- versions and storage ----------------------------------------------------------------------


def round_version(round_: Round, *, members: bool, extra: tuple = ()) -> str:
    """A fingerprint of everything a closed round's results depend on.

    ``members``: include the dialogue's membership (for breakdowns by department and role group).
    A few small indexed queries; far cheaper than the results themselves.
    """
    edits = Session.execute(
        select(func.max(ThemeEdit.id), func.count(ThemeEdit.undone_at)).where(
            ThemeEdit.round_id == round_.id
        )
    ).one()
    parts = [
        CACHE_FORMAT,
        round_.is_published,
        round_.opens_at.isoformat(),
        round_.closes_at.isoformat(),
        json.dumps(round_.settings, sort_keys=True, default=str),
        round_.dialogue.min_group_size,
        tuple(edits),  # hiding a contribution and undoing are workbench edits
    ]
    parts.extend(extra)
    if members:
        parts.append(
            tuple(
                Session.execute(
                    select(func.count(), func.max(Membership.id)).where(
                        Membership.dialogue_id == round_.dialogue_id
                    )
                ).one()
            )
        )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def is_cacheable(round_: Round) -> bool:
    """Only a closed round's results stay put."""
    return round_.state_at(utcnow()) is RoundState.CLOSED


def cached(
    round_: Round,
    variant: str,
    compute: Callable[[], T],
    *,
    members: bool = False,
    always: bool = False,
    extra: tuple = (),
    open_seconds: int = 0,
    stale: Callable[[], None] | None = None,
    question: tuple = (),
) -> T:
    """``compute()``, or its stored result when the round is closed and nothing changed since.

    ``always``: cache whatever the round's state; ``extra`` must then name what else the value
    depends on (e.g. the number of contributions of an open round).
    ``open_seconds``: while the round is open, keep the value this long (in fixed windows of
    the clock, shared by every server), so it is at most that old; 0 computes it every time.
    ``stale``: when the stored value is out of date but answers the same ``question`` (the
    part of ``extra`` that says what is asked, such as which themes, as opposed to the data it
    is asked of), call this (say, to have a background job compute the new one) and return the
    stored value instead of computing it here. A value for another question may lack what the
    caller needs, so it is computed. A caller without ``stale`` (a job) stores its value under
    the same ``question``, so that the pages find it.

    The entry is written in a short transaction of its own, so that a page that only reads
    (and never commits) still keeps it, and the caller's transaction is not disturbed. A failed
    store (two servers storing the same entry at once, a busy database) is ignored: the value
    is right either way and the next request tries again.
    """
    if not always and not is_cacheable(round_):
        if not open_seconds or round_.state_at(utcnow()) is not RoundState.OPEN:
            return compute()
        extra = (*extra, "open", int(utcnow().timestamp()) // open_seconds)
    version = round_version(round_, members=members, extra=extra)
    if stale is not None or question:  # the stored version starts with the question it answers
        asked = hashlib.sha256(repr((CACHE_FORMAT, question)).encode()).hexdigest()
        version = asked[:QUESTION_DIGITS] + version[QUESTION_DIGITS:]
    row = Session.scalar(
        select(RoundResultsCache).where(
            RoundResultsCache.round_id == round_.id, RoundResultsCache.variant == variant
        )
    )
    same_question = (
        stale is not None
        and row is not None
        and row.version[:QUESTION_DIGITS] == version[:QUESTION_DIGITS]
    )
    if row is not None and (row.version == version or same_question):
        try:
            value = decode(row.payload)
        except (KeyError, TypeError, ValueError):
            pass  # an entry of an older shape: recompute below
        else:
            if row.version != version:
                stale()
            return value
    value = compute()
    try:
        payload = encode(value)
    except TypeError:
        return value
    _store(round_.id, variant, version, payload)
    return value


def _store(round_id: int, variant: str, version: str, payload: Any) -> None:
    """Keep computed results in a short transaction of their own.

    Like a job's state rows (``dialogue.core.jobs``), this commits a session of its own, on purpose:
    a cache fill is derived data that a reader's GET request produces, and the request's own
    session must never commit. If it fails, the next reader computes the results again.
    """
    try:
        with Session.session_factory() as session:
            session.execute(
                delete(RoundResultsCache).where(
                    RoundResultsCache.round_id == round_id, RoundResultsCache.variant == variant
                )
            )
            session.add(
                RoundResultsCache(
                    round_id=round_id, variant=variant, version=version, payload=payload
                )
            )
            session.commit()
    except SQLAlchemyError:
        logger.warning("could not store the results of round %s (%s)", round_id, variant)


def invalidate(*, round_id: int | None = None, dialogue_id: int | None = None) -> None:
    """Forget stored results of one round or of every round of a dialogue (flushes only).

    Final figures stay (:func:`final`): dropping them after an import would have them computed
    again from the new membership. They hold counts and aggregates only, never a text.
    """
    statement = delete(RoundResultsCache).where(RoundResultsCache.variant.not_like("%:final"))
    if round_id is not None:
        statement = statement.where(RoundResultsCache.round_id == round_id)
    if dialogue_id is not None:
        statement = statement.where(
            RoundResultsCache.round_id.in_(select(Round.id).where(Round.dialogue_id == dialogue_id))
        )
    Session.execute(statement)


# --- final figures -------------------------------------------------------------------------


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
                _store(round_.id, f"{variant}:final", version, encode(compute(round_)))
        for warm in _WARMERS:
            warm(round_)
    finally:
        WRITE_INTENT.reset(intent)
