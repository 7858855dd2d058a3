"""Enqueueing and running a job: the runner's choice, the thread pool, the RQ queue, ``perform``.

A job function gets a ``context.JobContext`` and returns a :class:`JobOutcome` or None; it fails
for the user with :class:`JobRefused`, and :func:`enqueue` refuses a second active job with
:class:`JobActive`.
"""

from __future__ import annotations

import importlib
import logging
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from dialogue.core.clock import utcnow
from dialogue.core.db import WRITE_INTENT, Session
from dialogue.core.errors import UserError
from dialogue.core.jobs.context import JobContext
from dialogue.core.jobs.state import (
    _active_in_fresh_session,
    _dialogue_locale,
    _failure_message,
    _finish,
    _release_if_stale,
    _write,
)
from dialogue.core.jobs.worker import _worker_app
from dialogue.core.models import Job, JobState

logger = logging.getLogger(__name__)

#: Threads that run jobs in an app server's process; more would only compete for the CPUs.
THREAD_WORKERS = 2
#: RQ's limit for one job; an analysis of a million texts takes a few minutes.
RQ_TIMEOUT = 3 * 3600

#: Every kind of job, with the module that defines and enqueues it. A new kind belongs here:
#: ``tests/e2e/test_jobs.py`` runs each one through a real RQ worker and fails on a kind it
#: does not know.
KINDS = {
    "analysis": "dialogue.workbench.jobs",
    "import": "dialogue.admin.jobs",
    "fingerprint": "dialogue.fingerprints.jobs",
    "figures": "dialogue.synthesis.jobs",
    "final-results": "dialogue.core.results_cache.final",
    "purge": "dialogue.privacy.jobs",
}


class JobActive(Exception):
    """A job of the same kind is already queued or running for the same thing."""

    def __init__(self, job_id: str) -> None:
        super().__init__(job_id)
        self.job_id = job_id


class JobRefused(UserError):
    """A job function's way to fail with a message meant for the user."""


@dataclass(frozen=True)
class JobOutcome:
    """What a finished job tells the user: a sentence and, perhaps, where to look."""

    message: str = ""
    result_url: str | None = None


# --- enqueueing -------------------------------------------------------------------------------


def _function_path(func: Callable) -> str:
    path = f"{func.__module__}:{func.__qualname__}"
    if "<" in path or "." in func.__qualname__:
        raise ValueError("a job function must be a module-level function")
    return path


def _resolve(path: str) -> Callable:
    module, name = path.split(":", 1)
    return getattr(importlib.import_module(module), name)


def enqueue(
    kind: str,
    key: str,
    func: Callable,
    *args: Any,
    dialogue_id: int | None = None,
    actor_id: int | None = None,
    _retry: bool = False,
) -> str:
    """Record a job and hand it to the runner; return its id.

    ``args`` must be plain values (ids, numbers, strings, bytes): they travel to an RQ worker.

    Raises
    ------
    JobActive
        When a job of ``kind`` for ``key`` is queued or running already (with its id).
    """
    path = _function_path(func)
    runner = runner_name(current_app)
    # The job row is written on a connection of its own, and a thread or worker runs the job on
    # another: both must see what the caller has done. On SQLite a request that writes also
    # holds the write lock (BEGIN IMMEDIATE) that the row needs, and would wait on itself.
    Session.commit()
    _release_if_stale(kind, key)
    job_id = secrets.token_hex(16)
    try:
        _record(job_id, kind, key, dialogue_id, actor_id)
    except IntegrityError:
        existing = _active_in_fresh_session(kind, key)
        if existing is None and not _retry:  # it ended in between: try once more
            return enqueue(
                kind, key, func, *args, dialogue_id=dialogue_id, actor_id=actor_id, _retry=True
            )
        raise JobActive(existing[0] if existing else "") from None
    try:
        _hand_over(runner, job_id, kind, path, args)
    except Exception as exc:  # the queue itself is down: say so on the job, free the key
        logger.error("job %s (%s) could not be queued: %s", job_id, kind, type(exc).__name__)
        with _dialogue_locale(dialogue_id):
            message = _("The job could not be started. Please try again in a moment.")
        _finish(job_id, JobState.FAILED, message)
    return job_id


def _record(
    job_id: str, kind: str, key: str, dialogue_id: int | None, actor_id: int | None
) -> None:
    """Commit the queued job's row on its own (``IntegrityError`` when one is active)."""
    with Session.session_factory() as session:
        session.add(
            Job(
                id=job_id,
                kind=kind,
                key=key,
                active_key=f"{kind}:{key}",
                dialogue_id=dialogue_id,
                actor_id=actor_id,
                state=JobState.QUEUED,
                created_at=utcnow(),
            )
        )
        session.commit()


def _hand_over(runner: str, job_id: str, kind: str, path: str, args: tuple) -> None:
    """Give the recorded job to ``runner``: RQ's queue, this very call, or the thread pool."""
    if runner == "rq":
        _rq_queue(current_app).enqueue(
            perform,
            job_id,
            path,
            args,
            job_id=f"dialogue-{job_id}",
            job_timeout=RQ_TIMEOUT,
            # RQ's default description quotes the arguments (an import's file, with its
            # first addresses) in Redis and in the worker's log line for every job.
            description=f"{kind} job",
        )
    elif runner == "inline":
        perform(job_id, path, args, inline=True)
    else:
        _thread_pool().submit(_run_in_thread, current_app._get_current_object(), job_id, path, args)


def runner_name(app: Flask) -> str:
    """``rq``, ``thread`` or ``inline``.

    ``JOBS_RUNNER`` (setting or environment) if given; else RQ when ``REDIS_URL`` is set; else
    inline under ``TESTING`` (a test's transaction must see the job's work); else threads.
    """
    runner = app.config.get("JOBS_RUNNER") or os.environ.get("JOBS_RUNNER")
    if not runner:
        if app.config.get("REDIS_URL"):
            runner = "rq"
        elif app.config.get("TESTING"):
            runner = "inline"
        else:
            runner = "thread"
    if runner not in ("rq", "thread", "inline"):
        raise ValueError("JOBS_RUNNER must be rq, thread or inline")
    return runner


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _thread_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=THREAD_WORKERS, thread_name_prefix="job")
        return _pool


def _run_in_thread(app: Flask, job_id: str, path: str, args: tuple) -> None:
    with app.app_context():
        try:
            perform(job_id, path, args)
        finally:
            Session.remove()


def _rq_queue(app: Flask):
    from redis import Redis
    from rq import Queue

    return Queue(app.config["DIALOGUE_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"]))


# --- running ----------------------------------------------------------------------------------


def perform(job_id: str, path: str, args: tuple, *, inline: bool = False) -> None:
    """Run one job to its end; the entry point of every runner (RQ workers call it too).

    ``inline``: the job runs inside the caller's transaction (tests). Its work then goes into
    a savepoint, committed by :meth:`JobContext.commit` or rolled back when it fails, and the
    caller's session is committed after a success.
    """
    if not has_app_context():
        with _worker_app().app_context():
            try:
                perform(job_id, path, args)
            finally:
                Session.remove()
        return
    # Read and mark the job on connections of their own, before the job's transaction begins:
    # on SQLite that transaction holds the write lock the status rows need.
    with Session.session_factory() as session:
        job = session.get(Job, job_id)
    if job is None or job.state is not JobState.QUEUED:
        return
    kind, dialogue_id = job.kind, job.dialogue_id
    _write(job_id, state=JobState.RUNNING, started_at=utcnow(), updated_at=utcnow())
    context = JobContext(job, inline=inline)
    # A job writes, so on SQLite its transactions take the write lock up front, as a request
    # that writes does: a transaction that read first fails if another wrote in between.
    intent = None if inline else WRITE_INTENT.set(True)
    savepoint = Session.begin_nested() if inline else None
    try:
        with _dialogue_locale(dialogue_id):  # a thread or worker has no request to choose one
            outcome = _resolve(path)(context, *args) or JobOutcome()
            message = str(outcome.message)  # a lazy message is rendered in that language too
    except Exception as exc:  # noqa: BLE001 — every failure becomes a message on the job
        if savepoint is not None:
            savepoint.rollback()
            Session.commit()  # the caller's own work stands, as it would without a job
        else:
            Session.rollback()
        _finish(job_id, JobState.FAILED, _failure_message(exc, dialogue_id))
        logger.error("job %s (%s) failed: %s", job_id, kind, type(exc).__name__)
        return
    else:
        if savepoint is not None and savepoint.is_active:
            savepoint.commit()
        Session.commit()  # ends the job's transaction (and the caller's, inline) before _finish
    finally:
        if intent is not None:
            WRITE_INTENT.reset(intent)
    _finish(job_id, JobState.DONE, message, outcome.result_url)
