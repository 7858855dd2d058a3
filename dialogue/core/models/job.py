"""Background jobs (analysis runs, large imports, exports) as every app server sees them.

A job's state lives in the database, not in the memory of the process that runs it, so that
any app server can answer "how far is it?" whichever thread or RQ worker does the work.

``active_key`` is set while a job is queued or running and cleared when it ends; its unique
constraint lets the database refuse a second active job for the same round and kind, so a
button pressed twice starts one job. This is a staff/system table: it may name the staff
member who started a job (``actor_id``), never a participant, and its message never holds
contribution text.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from dialogue.core.clock import utcnow
from dialogue.core.db import Base, enum_type


class JobState(enum.Enum):
    """Where a job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def is_active(self) -> bool:
        """Queued or running: the job still holds its key."""
        return self in (JobState.QUEUED, JobState.RUNNING)


class Job(Base):
    """One piece of long work, with its progress and outcome."""

    __tablename__ = "jobs"

    #: Random, so that a job's address says nothing about how many jobs ran before it.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: What the job does: "analysis", "import", "export" …
    kind: Mapped[str] = mapped_column(String(32))
    #: What it works on, e.g. "round:12"; with ``kind`` it names the job for the user.
    key: Mapped[str] = mapped_column(String(120))
    #: "kind:key" while queued or running, else None; unique, so one active job per key.
    active_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    dialogue_id: Mapped[int | None] = mapped_column(
        ForeignKey("dialogues.id", ondelete="CASCADE"), index=True
    )
    #: The staff member who started the job; None from the command line.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    state: Mapped[JobState] = mapped_column(enum_type(JobState), default=JobState.QUEUED)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    #: The stage while running; a short, user-facing sentence once done or failed.
    message: Mapped[str] = mapped_column(String(300), default="")
    #: Where to look at the result (a page of this app), once done.
    result_url: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    #: Last sign of life (progress); a running job silent for long is taken as abandoned.
    updated_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]

    @property
    def fraction(self) -> float | None:
        """Share done between 0 and 1, or None while the total is unknown."""
        if not self.total:
            return None
        return max(0.0, min(1.0, self.done / self.total))

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.state.value}>"
