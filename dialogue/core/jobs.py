"""Long work off the request path: analysis runs, large imports, exports.

One interface, three runners:

- **threads** (the default): a small pool of threads in the app server's own process, so the
  embedded setup needs nothing more;
- **RQ** on Redis when ``REDIS_URL`` is set (or ``JOBS_RUNNER=rq``): any number of
  ``dialogue worker`` processes, on any machine that has the app's configuration;
- **inline** (``JOBS_RUNNER=inline``): the job runs at once in the caller, for tests.

Whatever runs a job, its state lives in the ``jobs`` table (``dialogue.core.models.job``), written
in short transactions of its own, so every app server answers "how far is it?" the same way.
``enqueue`` refuses a second active job with the same kind and key: the database's unique
``active_key`` decides, so a button pressed twice, on two servers at once, starts one job.

A job function is a module-level function ``func(job, *args)``; ``job`` is a
:class:`JobContext` for reporting progress. It returns a :class:`JobOutcome` (message and a
link to the result) or None, and it commits its own work with ``job.commit()``. When it
raises, the job fails with a message fit for the user: the error's own message when it is a
``UserError`` (a round's refusal, :class:`JobRefused`), otherwise a general one. The log gets
the job id, its kind and the exception's class: never a traceback (which could hold
contribution text in a local variable's repr) and never the text.

Exports (``dialogue.synthesis.queries.exports``) plug in the same way: a module-level
``func(job, dialogue_id, ...)`` that writes its file and returns
``JobOutcome(message, result_url=<download link>)``, enqueued with kind ``"export"``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask, current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from dialogue.core.clock import utcnow
from dialogue.core.db import WRITE_INTENT, Session
from dialogue.core.errors import UserError
from dialogue.core.models import Dialogue, Job, JobState

logger = logging.getLogger(__name__)

#: Threads that run jobs in an app server's process; more would only compete for the CPUs.
THREAD_WORKERS = 2
#: Progress is written at most this often (seconds), plus at every change of stage.
PROGRESS_INTERVAL = 0.5
#: A running job without a sign of life for this long is taken as abandoned (its process died).
STALE_AFTER = dt.timedelta(minutes=15)
#: RQ's limit for one job; an analysis of a million texts takes a few minutes.
RQ_TIMEOUT = 3 * 3600
MESSAGE_LENGTH = 300

#: Every kind of job, with the module that defines and enqueues it. A new kind belongs here:
#: ``tests/e2e/test_jobs.py`` runs each one through a real RQ worker and fails on a kind it
#: does not know.
KINDS = {
    "analysis": "dialogue.workbench.jobs",
    "import": "dialogue.admin.jobs",
    "fingerprint": "dialogue.fingerprints.jobs",
    "figures": "dialogue.synthesis.jobs",
    "final-results": "dialogue.core.results_cache",
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


# --- state in the database --------------------------------------------------------------------


def _write(job_id: str, **values) -> None:
    """Update a job's row in a transaction of its own, visible to every server at once."""
    with Session.session_factory() as session:
        session.execute(update(Job).where(Job.id == job_id).values(**values))
        session.commit()


def get_job(job_id: str) -> Job | None:
    """The job, freshly read (another process may have moved it on)."""
    return Session.get(Job, job_id, populate_existing=True)


def active_job(kind: str, key: str) -> Job | None:
    """The queued or running job of ``kind`` for ``key``, if any."""
    return Session.scalar(
        select(Job)
        .where(Job.active_key == f"{kind}:{key}")
        .execution_options(populate_existing=True)
    )


def latest_job(kind: str, key: str) -> Job | None:
    """The most recent job of ``kind`` for ``key``, whatever its state."""
    return Session.scalar(
        select(Job)
        .where(Job.kind == kind, Job.key == key)
        .order_by(Job.created_at.desc(), Job.id)
        .limit(1)
        .execution_options(populate_existing=True)
    )


def _active_in_fresh_session(kind: str, key: str) -> tuple[str, dt.datetime, int | None] | None:
    """The active job's id, last sign of life and dialogue, read in a transaction of its own.

    The caller's transaction may be older than the job (SQLite reads from a snapshot).
    """
    with Session.session_factory() as session:
        job = session.scalar(select(Job).where(Job.active_key == f"{kind}:{key}"))
        if job is None:
            return None
        return job.id, job.updated_at or job.started_at or job.created_at, job.dialogue_id


def _release_if_stale(kind: str, key: str) -> None:
    """Fail an active job whose process died, so its key is free again."""
    active = _active_in_fresh_session(kind, key)
    if active is not None and utcnow() - active[1] > STALE_AFTER:
        _finish(active[0], JobState.FAILED, _stopped_message(active[2]))


def _stopped_message(dialogue_id: int | None) -> str:
    with _dialogue_locale(dialogue_id):
        return _("The job stopped unexpectedly. Please start it again.")


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
    except IntegrityError:
        existing = _active_in_fresh_session(kind, key)
        if existing is None and not _retry:  # it ended in between: try once more
            return enqueue(
                kind, key, func, *args, dialogue_id=dialogue_id, actor_id=actor_id, _retry=True
            )
        raise JobActive(existing[0] if existing else "") from None
    try:
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
            _thread_pool().submit(
                _run_in_thread, current_app._get_current_object(), job_id, path, args
            )
    except Exception as exc:  # the queue itself is down: say so on the job, free the key
        logger.error("job %s (%s) could not be queued: %s", job_id, kind, type(exc).__name__)
        with _dialogue_locale(dialogue_id):
            message = _("The job could not be started. Please try again in a moment.")
        _finish(job_id, JobState.FAILED, message)
    return job_id


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


class JobContext:
    """What a job function gets: its id, and a way to report how far it has come."""

    def __init__(self, job: Job, *, inline: bool = False) -> None:
        self.inline = inline
        self.id = job.id
        self.kind = job.kind
        self.key = job.key
        self.dialogue_id = job.dialogue_id
        self.actor_id = job.actor_id
        self._stage = None
        self._last = 0.0

    def progress(self, done: int, total: int, stage: str = "") -> None:
        """Record progress; cheap to call often (written at most twice a second)."""
        now = time.monotonic()
        if stage == self._stage and now - self._last < PROGRESS_INTERVAL and done < total:
            return
        self._stage, self._last = stage, now
        if _holds_sqlite_transaction():
            return  # SQLite: written on another connection, it would wait for this job's own
        with suppress(SQLAlchemyError):  # a busy database: the next report will get through
            _write(
                self.id,
                done=max(0, int(done)),
                total=max(0, int(total)),
                message=stage[:MESSAGE_LENGTH],
                updated_at=utcnow(),
            )

    def commit(self) -> None:
        """Commit the job's work (inline: into the caller's transaction, committed after)."""
        if self.inline:
            Session.flush()
        else:
            Session.commit()

    def stage_progress(self, stage: str, done: int, total: int) -> None:
        """The ``progress(stage, done, total)`` callback of ``rounds.theme_run.run_analysis``."""
        self.progress(done, total, stage)


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


def _holds_sqlite_transaction() -> bool:
    """Whether this thread's session is inside a transaction on SQLite (one writer at a time)."""
    return Session().in_transaction() and Session.get_bind().dialect.name == "sqlite"


def _finish(job_id: str, state: JobState, message: str, result_url: str | None = None) -> None:
    values = {
        "state": state,
        "active_key": None,
        "message": message[:MESSAGE_LENGTH],
        "finished_at": utcnow(),
        "updated_at": utcnow(),
    }
    if result_url:
        values["result_url"] = result_url[:300]
    if state is JobState.DONE:
        with Session.session_factory() as session:
            total = session.scalar(select(Job.total).where(Job.id == job_id)) or 1
        values |= {"done": total, "total": total}
    _write(job_id, **values)


def _failure_message(exc: Exception, dialogue_id: int | None) -> str:
    with _dialogue_locale(dialogue_id):
        if isinstance(exc, UserError):
            return str(exc.message)
        return _(
            "The job failed. Please try again; if it fails again, ask the operator to look "
            "at the server log."
        )


class _dialogue_locale:  # noqa: N801 — used like a function
    """Messages stored on a job are in the dialogue's language (threads have no request)."""

    def __init__(self, dialogue_id: int | None) -> None:
        self.dialogue_id = dialogue_id
        self._manager = None

    def __enter__(self):
        language = None
        if self.dialogue_id is not None:
            try:
                with Session.session_factory() as session:
                    language = session.scalar(
                        select(Dialogue.language).where(Dialogue.id == self.dialogue_id)
                    )
            except SQLAlchemyError:
                language = None
        self._manager = force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"])
        return self._manager.__enter__()

    def __exit__(self, *exc_info):
        return self._manager.__exit__(*exc_info)


_app_factory: Callable[[], Flask] | None = None
_worker_app_instance: Flask | None = None


def use_app_factory(factory: Callable[[], Flask]) -> None:
    """Say how a worker process builds its app; ``dialogue`` registers ``create_app`` on import.

    The runner sits below the app it runs jobs for, so it is told rather than importing it.
    Importing this module imports the ``dialogue`` package first, so the factory is known in
    any process that can resolve a job.
    """
    global _app_factory
    _app_factory = factory


def _worker_app() -> Flask:
    """The app an RQ worker process runs jobs in, built once from the environment."""
    global _worker_app_instance
    if _worker_app_instance is None:
        if _app_factory is None:
            raise RuntimeError("no app factory: import dialogue before running jobs")
        _worker_app_instance = _app_factory()
    return _worker_app_instance


# --- work that leaves no row --------------------------------------------------------------------


def run_untracked(func: Callable, *args: Any) -> None:
    """Run ``func(*args)`` off the request, as ``enqueue`` would, but with no row in ``jobs``.

    For work done at a participant's own moment that nobody needs to follow, such as mailing a
    link they asked for: a job row would record, in the backed-up database, when they asked
    (TARGETS A11). RQ keeps neither its result nor, for long, its failure. A failure is logged
    with the function's name and the exception's class only.
    """
    path = _function_path(func)
    runner = runner_name(current_app)
    if runner == "rq":
        _rq_queue(current_app).enqueue(
            perform_untracked, path, args, result_ttl=0, failure_ttl=60, job_timeout=300
        )
    elif runner == "inline":
        perform_untracked(path, args)
    else:
        _thread_pool().submit(_untracked_in_thread, current_app._get_current_object(), path, args)


def perform_untracked(path: str, args: tuple) -> None:
    """Run one untracked function to its end (RQ workers call this too)."""
    if not has_app_context():
        with _worker_app().app_context():
            try:
                perform_untracked(path, args)
            finally:
                Session.remove()
        return
    try:
        _resolve(path)(*args)
    except Exception as exc:  # noqa: BLE001 — logged without arguments, which may name a person
        logger.error("background task %s failed: %s", path, type(exc).__name__)


def _untracked_in_thread(app: Flask, path: str, args: tuple) -> None:
    with app.app_context():
        try:
            perform_untracked(path, args)
        finally:
            Session.remove()


# --- what pages show --------------------------------------------------------------------------


def status(job: Job) -> dict[str, Any]:
    """A job as the status endpoint returns it: no actor, nothing about participants."""
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state.value,
        "done": job.done,
        "total": job.total,
        "fraction": job.fraction,
        "message": job.message,
        "result_url": job.result_url,
        "finished": not job.state.is_active,
    }


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool):
    """Run an RQ worker for the background jobs (needs REDIS_URL)."""
    from redis import Redis
    from rq import Queue, Worker

    app = _worker_app()
    url = app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("REDIS_URL is not set; without it jobs run in the app server")
    connection = Redis.from_url(url)
    queue = Queue(app.config["DIALOGUE_QUEUE"], connection=connection)
    Worker([queue], connection=connection).work(burst=burst)
