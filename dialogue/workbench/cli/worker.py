"""The embedding worker beside the web server (``dialogue embed-worker``, run by ``dialogue run``).

It embeds new texts of open rounds as they arrive, on CPU time the requests leave over, so that
no web request does.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess  # nosec B404 - starts our own embedding worker
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from analysis import EmbeddingUnavailable
from analysis.embed import load_embedder, model_name
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.jobs.runner import runner_name
from rounds import embedding_worker

logger = logging.getLogger(__name__)


#: Where there is no idle scheduling class: how much lower than the web server the worker runs.
NICENESS = 19
#: Seconds between the worker's looks for new texts after it found some.
POLL_SECONDS = 1.0
#: Longest pause between looks while nothing arrives.
MAX_POLL = 16.0


def run_worker(stop: threading.Event, *, poll: float = POLL_SECONDS, threads: int = 1) -> None:
    """Embed the watched rounds' new texts until `stop` is set or the parent process is gone.

    One batch at a time, when :class:`rounds.embedding_worker.Lull` says so, committed on its own,
    looking again between batches. A look that finds nothing to do doubles the pause before the
    next, up to :data:`MAX_POLL`: an idle
    dialogue of 100,000 texts should not be read every second; texts arriving set the pause
    back to `poll`. A database that does not answer is tried again at the next look; the log
    gets the error's class only (never a text).
    """
    parent, pause, lull = os.getppid(), poll, embedding_worker.Lull()
    while not stop.is_set() and os.getppid() == parent:
        found, busy = 0, False
        try:
            rounds = embedding_worker.watched_rounds(utcnow())
            now = time.monotonic()
            if lull.look(embedding_worker.texts_in(rounds), now):
                found = embedding_worker.embed_batch(rounds, commit=Session.commit, threads=threads)
                if found < embedding_worker.BATCH:
                    lull.caught_up()
            busy = lull.arriving(now)
            Session.rollback()
        except SQLAlchemyError as exc:
            Session.rollback()
            logger.warning("embedding worker: database error %s", type(exc).__name__)
        if found >= embedding_worker.BATCH:
            continue  # more waiting: look again at once
        pause = poll if found or busy else min(pause * 2, max(poll, MAX_POLL))
        stop.wait(pause)


def worker_wanted(app: Flask) -> bool:
    """Whether ``dialogue run`` starts the embedding worker: extra installed, on, and no RQ."""
    if not app.config["DIALOGUE_EMBED_ON_SUBMIT"] or runner_name(app) == "rq":
        return False
    try:
        model_name()
    except EmbeddingUnavailable:
        return False
    return True


@contextmanager
def beside_server(app: Flask) -> Iterator[subprocess.Popen | None]:
    """Run ``dialogue embed-worker`` as a process of its own while the web server runs.

    Not in the reloader's child (the parent already started one), and not when
    :func:`worker_wanted` says no. The worker also stops by itself if this process dies.
    """
    if os.environ.get("WERKZEUG_RUN_MAIN") or not worker_wanted(app):
        yield None
        return
    worker = subprocess.Popen(  # nosec B603 - our own command, no shell
        [sys.executable, "-c", "from dialogue.cli import main; main()", "embed-worker"]
    )
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _yield_to_requests() -> None:
    """Run only on CPU time the web server leaves over (Linux's idle class; elsewhere nice).

    On a small machine every CPU second the model takes is taken from the requests; in the
    idle class the requests get the cores under a peak and the worker catches up afterwards
    (texts still without a vector when an analysis runs are embedded by it).
    """
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        os.nice(NICENESS)


@click.command("embed-worker")
@with_appcontext
@click.option(
    "--poll",
    type=float,
    default=POLL_SECONDS,
    show_default=True,
    help="Seconds between looks.",
)
def embed_worker_command(poll: float):
    """Embed new texts of open rounds as they arrive (``dialogue run`` starts it for you)."""
    app = current_app._get_current_object()
    _yield_to_requests()
    try:
        load_embedder(app.config["DIALOGUE_EMBEDDING_THREADS"])
    except EmbeddingUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: stop.set())
    click.echo(f"embedding worker {os.getpid()}: watching open rounds for new texts", err=True)
    try:
        run_worker(stop, poll=poll, threads=app.config["DIALOGUE_EMBEDDING_THREADS"])
    finally:
        Session.remove()
