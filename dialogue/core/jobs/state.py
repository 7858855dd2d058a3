"""Job rows: a job's state in the ``jobs`` table, read fresh and written in transactions of its own.

Every runner and every app server reads and writes a job's state here, so each answers "how far
is it?" the same way; the messages stored on a job are in its dialogue's language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.errors import UserError
from dialogue.core.models import Dialogue, Job, JobState

#: A running job without a sign of life for this long is taken as abandoned (its process died).
STALE_AFTER = dt.timedelta(minutes=15)
MESSAGE_LENGTH = 300


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
