"""Large participant imports as background jobs (see ``dialogue.core.jobs``).

A file of tens of thousands of rows takes longer to check and save than a request should
wait. Files with more than ``LARGE_IMPORT_ROWS`` rows (or large spreadsheets) are imported by
:func:`import_job`, with the same rule as the page: any problem imports nothing. The job's
message says how many problems and on which lines, never the values (the jobs table must not
name participants); the page or the command line shows them in full for a smaller file.
"""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from dialogue.admin.services import importing
from dialogue.admin.services.participant_file import ImportRefused
from dialogue.core.db import Session
from dialogue.core.jobs.context import JobContext
from dialogue.core.jobs.runner import JobOutcome, JobRefused, enqueue
from dialogue.core.models import Dialogue

KIND = "import"
#: From this many rows on, an import runs as a job.
LARGE_IMPORT_ROWS = 5_000
#: A spreadsheet this large holds thousands of rows (its rows cannot be counted unopened).
LARGE_SPREADSHEET_BYTES = 250 * 1024
#: At most this many line numbers are named in a failed job's message.
SHOWN_LINES = 20

STAGE_LABELS = {
    "read": _l("Reading the file"),
    "save": _l("Saving the participants"),
}


def job_key(dialogue: Dialogue) -> str:
    """One import at a time per dialogue."""
    return f"dialogue:{dialogue.id}"


def is_large(data: bytes, filename: str) -> bool:
    """Whether importing ``data`` should run as a job."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return len(data) > LARGE_SPREADSHEET_BYTES
    return data.count(b"\n") > LARGE_IMPORT_ROWS


def start_import(dialogue: Dialogue, data: bytes, filename: str, actor_id: int | None) -> str:
    """Enqueue the import; return the job id (``JobActive`` if an import is running)."""
    return enqueue(
        KIND,
        job_key(dialogue),
        import_job,
        dialogue.id,
        data,
        filename,
        dialogue_id=dialogue.id,
        actor_id=actor_id,
    )


def import_job(job: JobContext, dialogue_id: int, data: bytes, filename: str) -> JobOutcome:
    """Check and save the file; nothing is saved if any row has a problem."""
    dialogue = Session.get(Dialogue, dialogue_id)
    if dialogue is None:
        raise JobRefused(_l("The dialogue no longer exists."))
    job.progress(0, 3, "read")
    try:
        result = importing.import_participants(
            dialogue, data, filename, job.actor_id, progress=lambda: job.progress(1, 3, "save")
        )
    except ImportRefused as exc:
        raise JobRefused(exc.message) from None
    with force_locale(dialogue.language):
        if result.problems:
            lines = sorted({problem.line for problem in result.problems})
            shown = ", ".join(str(line) for line in lines[:SHOWN_LINES])
            if len(lines) > SHOWN_LINES:
                shown += ", …"
            raise JobRefused(
                ngettext(
                    "Nothing was imported: the file has %(num)d problem (line %(lines)s).",
                    "Nothing was imported: the file has %(num)d problems (lines %(lines)s).",
                    len(result.problems),
                    lines=shown,
                )
            )
        job.progress(2, 3, "save")
        job.commit()
        message = _(
            "Import done: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        )
        if kept := importing.names_kept_message(result):
            message = f"{message} {kept}"
    with current_app.test_request_context():
        link = url_for("admin.participants", slug=dialogue.slug)
    return JobOutcome(message, link)


def stage_label(job) -> str:
    """The running job's stage in the reader's language, or its final message."""
    if job.state.is_active:
        label = STAGE_LABELS.get(job.message)
        return str(label) if label is not None else ""
    return job.message
