"""Work that leaves no row: run off the request like a job, with nothing in the ``jobs`` table."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, has_app_context

from dialogue.core.db import Session
from dialogue.core.jobs.runner import (
    _function_path,
    _resolve,
    _rq_queue,
    _thread_pool,
    runner_name,
)
from dialogue.core.jobs.worker import _worker_app

logger = logging.getLogger(__name__)


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
