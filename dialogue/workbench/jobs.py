"""The workbench's analysis run as a background job (see ``dialogue.jobs``).

The analysis of a large round takes minutes, longer than any request may. The button enqueues
:func:`analysis_job`; the round's page shows a progress bar fed by the job's row until it is
done, then the new themes.
"""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l

from dialogue.db import Session
from dialogue.embeddings import unavailable_message
from dialogue.jobs import JobContext, JobOutcome, JobRefused, enqueue
from dialogue.models import Round
from rounds.synthesis import run_analysis

KIND = "analysis"

#: Share of the whole job at which each stage of the analysis starts, and the next begins.
#: Embedding (semantic runs, texts without a stored vector) comes first and may take long.
STAGES = {
    "load": (0.0, 0.05),
    "embed": (0.05, 0.45),
    "vectorise": (0.45, 0.55),
    "describe": (0.55, 0.85),
    "duplicates": (0.85, 0.92),
    "save": (0.92, 1.0),
}
#: Progress is reported in thousandths of the whole job.
SCALE = 1000

#: What the page says while a stage runs (the job's message holds the stage's key).
STAGE_LABELS = {
    "load": _l("Reading the texts"),
    "embed": _l("Embedding texts that have no stored vector yet"),
    "vectorise": _l("Reading the texts"),
    "describe": _l("Finding and naming themes"),
    "duplicates": _l("Looking for near-duplicates"),
    "save": _l("Saving the themes"),
}


def job_key(round_: Round) -> str:
    """The key that allows one active analysis per round."""
    return f"round:{round_.id}"


def start_analysis(
    round_: Round,
    *,
    actor_id: int | None,
    n_themes: int | None,
    seed: int,
    method: str = "tfidf",
) -> str:
    """Enqueue the analysis of ``round_``; return the job id (``JobActive`` if one runs)."""
    return enqueue(
        KIND,
        job_key(round_),
        analysis_job,
        round_.id,
        n_themes,
        seed,
        method,
        dialogue_id=round_.dialogue_id,
        actor_id=actor_id,
    )


class _AnalysisProgress:
    """Turns the analysis's (stage, done, total) reports into one bar over the whole run."""

    def __init__(self, job: JobContext) -> None:
        self.job = job

    def __call__(self, stage: str, done: int, total: int) -> None:
        start, end = STAGES.get(stage, (0.55, 0.85))
        share = done / total if total else 1.0
        if stage not in ("vectorise", "embed"):  # the other stages report only that they begin
            share = 0.0
        overall = start + (end - start) * min(max(share, 0.0), 1.0)
        self.job.progress(int(overall * SCALE), SCALE, stage)


def analysis_job(
    job: JobContext, round_id: int, n_themes: int | None, seed: int, method: str = "tfidf"
) -> JobOutcome:
    """Run the theme analysis of round ``round_id`` and commit it."""
    round_ = Session.get(Round, round_id)
    if round_ is None:
        raise JobRefused(_l("The round no longer exists."))
    progress = _AnalysisProgress(job)
    progress("load", 0, 1)
    run = run_analysis(
        round_,
        actor_id=job.actor_id,
        n_themes=n_themes,
        seed=seed or 0,
        method=method,
        embedding_threads=current_app.config["DIALOGUE_EMBEDDING_THREADS"],
        progress=progress,
    )
    progress("save", 0, 1)
    job.commit()
    n = run.quality["n_themes"]
    with force_locale(round_.dialogue.language):
        message = ngettext(
            "The analysis found %(num)d theme.", "The analysis found %(num)d themes.", n
        )
        fallback = run.parameters.get("fallback")
        if fallback:
            used = _l("TF-IDF was used instead.")
            message = f"{message} {unavailable_message(fallback)} {used}"
    with current_app.test_request_context():
        link = url_for("workbench.round_page", slug=round_.dialogue.slug, round_id=round_.id)
    return JobOutcome(message, link)


def stage_label(job) -> str:
    """The running job's stage in the reader's language, or its final message."""
    if job.state.is_active:
        label = STAGE_LABELS.get(job.message)
        return str(label) if label is not None else ""
    return job.message
