"""What a job function gets: its id, and a way to report how far it has come."""

from __future__ import annotations

import time
from contextlib import suppress

from sqlalchemy.exc import SQLAlchemyError

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.jobs.state import MESSAGE_LENGTH, _write
from dialogue.core.models import Job

#: Progress is written at most this often (seconds), plus at every change of stage.
PROGRESS_INTERVAL = 0.5


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
        """The ``progress(stage, done, total)`` callback of a theme run.

        See ``rounds.theme_run.running.run_analysis``.
        """
        self.progress(done, total, stage)


def _holds_sqlite_transaction() -> bool:
    """Whether this thread's session is inside a transaction on SQLite (one writer at a time)."""
    return Session().in_transaction() and Session.get_bind().dialect.name == "sqlite"
