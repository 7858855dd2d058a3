"""The purge after the retention period as a background job (``dialogue purge --queue``).

One job at a time for the whole installation (key ``due``): it purges every dialogue whose
retention period has ended, committing dialogue by dialogue, so a failure halfway keeps what
was done. Its row names no dialogue and its message only counts them: the purged dialogue's
own jobs are deleted with it.
"""

from __future__ import annotations

from dialogue.core.clock import utcnow
from dialogue.core.jobs.context import JobContext
from dialogue.core.jobs.runner import enqueue
from dialogue.privacy.queries import due_dialogues
from dialogue.privacy.services import outside, retention

KIND = "purge"
KEY = "due"


def start_purge() -> str:
    """Enqueue the purge of every due dialogue; return the job id (``JobActive`` if running)."""
    return enqueue(KIND, KEY, purge_job)


def purge_due(commit) -> list[retention.Removal]:
    """Purge every due dialogue, calling ``commit`` after each; what each purge removed."""
    now = utcnow()
    done = []
    for dialogue in due_dialogues(now):
        removal = retention.purge_dialogue(dialogue, now.date())
        commit()
        done.append(outside.forget_outside_database(removal))
    return done


def purge_job(job: JobContext) -> None:
    """The job: purge what is due; the jobs table learns nothing about which dialogues."""
    due = len(due_dialogues(utcnow()))
    job.progress(0, due)
    purge_due(job.commit)
