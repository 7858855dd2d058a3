"""Closed rounds' results, computed once and kept in ``round_results_cache``.

Once a round has closed its input no longer changes, yet its results page would otherwise read
every contribution (a million of them in a large dialogue) and derive every member's pseudonym
on each request. :func:`cached` stores what a computation returned, as JSON (``codec``), under a
version string; any change that could alter the result (publishing, the round's settings or
times, the anonymity threshold, moderation, membership) changes the version, and the next request
recomputes. Open and upcoming rounds are never cached. Figures that must never change once the
round has closed are in ``final``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Membership, Round, RoundResultsCache, RoundState, ThemeEdit
from dialogue.core.results_cache.codec import decode, encode

#: Change this when a cached dataclass changes shape: every stored entry is then recomputed.
#: Final entries (see ``final.final``) are kept whatever the format: they must never change.
CACHE_FORMAT = "2"
#: Hex digits of a stored version that name the question a value answers (see :func:`cached`).
QUESTION_DIGITS = 16

T = TypeVar("T")
logger = logging.getLogger(__name__)

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
        version = _asking(question, version)
    row = _stored_row(round_.id, variant)
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
    store_entry(round_.id, variant, version, payload)
    return value


def _asking(question: tuple, version: str) -> str:
    """``version`` with its first digits replaced by those naming the ``question`` it answers."""
    asked = hashlib.sha256(repr((CACHE_FORMAT, question)).encode()).hexdigest()
    return asked[:QUESTION_DIGITS] + version[QUESTION_DIGITS:]


def _stored_row(round_id: int, variant: str) -> RoundResultsCache | None:
    return Session.scalar(
        select(RoundResultsCache).where(
            RoundResultsCache.round_id == round_id, RoundResultsCache.variant == variant
        )
    )


def store_entry(round_id: int, variant: str, version: str, payload: Any) -> None:
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

    Final figures stay (``final.final``): dropping them after an import would have them computed
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
