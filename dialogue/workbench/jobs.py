"""The workbench's analysis run as a background job (see ``dialogue.core.jobs``).

The analysis of a large round takes minutes, longer than any request may. The button enqueues
:func:`analysis_job`; the round's page shows a progress bar fed by the job's row until it is
done, then the new themes.
"""

from __future__ import annotations

import hashlib
import logging

from flask import Flask, current_app, url_for
from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l

from analysis.embed import EmbeddingUnavailable, model_name
from dialogue.core.db import Session
from dialogue.core.jobs.context import JobContext
from dialogue.core.jobs.runner import JobOutcome, JobRefused, enqueue, runner_name
from dialogue.core.jobs.worker import _worker_app
from dialogue.core.models import Round
from dialogue.core.results_cache.final import finalise
from rounds import embedding_worker
from rounds.theme_run.running import run_analysis

logger = logging.getLogger(__name__)

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
    "embed": _l("Reading the meaning of texts not read before"),
    "vectorise": _l("Reading the texts"),
    "describe": _l("Finding and naming themes"),
    "duplicates": _l("Looking for near-duplicates"),
    "save": _l("Saving the themes"),
}


def job_key(round_: Round, part: str = "") -> str:
    """The key that allows one active analysis per part of a round."""
    return f"round:{round_.id}" + (f":{part}" if part else "")


def start_analysis(
    round_: Round,
    *,
    actor_id: int | None,
    n_themes: int | None,
    seed: int,
    method: str = "tfidf",
    part: str = "",
) -> str:
    """Enqueue the analysis of a part of ``round_``; the job id (``JobActive`` if one runs)."""
    return enqueue(
        KIND,
        job_key(round_, part),
        analysis_job,
        round_.id,
        n_themes,
        seed,
        method,
        part,
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
    job: JobContext,
    round_id: int,
    n_themes: int | None,
    seed: int,
    method: str = "tfidf",
    part: str = "",
) -> JobOutcome:
    """Run the theme analysis of a part of round ``round_id`` and commit it."""
    round_ = Session.get(Round, round_id)
    if round_ is None:
        raise JobRefused(_l("The round no longer exists."))
    progress = _AnalysisProgress(job)
    progress("load", 0, 1)
    run = run_analysis(
        round_,
        part=part,
        actor_id=job.actor_id,
        n_themes=n_themes,
        seed=seed or 0,
        method=method,
        embedding_threads=current_app.config["DIALOGUE_EMBEDDING_THREADS"],
        progress=progress,
    )
    progress("save", 0, 1)
    job.commit()
    # A closed round's figures and results read its themes: stored before the job is done, so
    # that the page it leads to need not wait for them (pages never compute them).
    finalise(round_)
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
        link = url_for(
            "workbench.round_page", slug=round_.dialogue.slug, round_id=round_.id, part=part
        )
    return JobOutcome(message, link)


def stage_label(job) -> str:
    """The running job's stage in the reader's language, or its final message."""
    if job.state.is_active:
        label = STAGE_LABELS.get(job.message)
        return str(label) if label is not None else ""
    return job.message


# --- embedding with RQ ------------------------------------------------------------------------

#: The RQ task of a round waits in the queue at most this long (seconds) before a new one is asked.
FLAG_SECONDS = 600


def _flag(app: Flask, round_id: int) -> str:
    """The round's "task queued" flag; per database, as several instances may share a Redis."""
    database = hashlib.sha256(app.config["DATABASE_URL"].encode()).hexdigest()[:12]
    return f"dialogue:embed-wanted:{database}:{round_id}"


_redis_clients: dict[str, object] = {}


def _redis(url: str):
    """One Redis client (and connection pool) per URL and process, not one per request."""
    from redis import Redis

    if url not in _redis_clients:
        _redis_clients[url] = Redis.from_url(url)
    return _redis_clients[url]


def schedule(round_: Round) -> None:
    """With RQ, ask for the round's new texts to be embedded; without, the worker finds them.

    One Redis round trip: a flag set only if absent decides whether a task is queued, so a
    round receiving a hundred texts a second has one task waiting, not a hundred. Never fails
    the participant's request: their text is saved, and the analysis embeds what is missing.
    """
    app = current_app
    if not app.config["DIALOGUE_EMBED_ON_SUBMIT"] or runner_name(app) != "rq":
        return
    try:
        model_name()
    except EmbeddingUnavailable:
        return
    from redis.exceptions import RedisError
    from rq import Queue

    try:
        connection = _redis(app.config["REDIS_URL"])
        if connection.set(_flag(app, round_.id), b"1", nx=True, ex=FLAG_SECONDS):
            Queue(app.config["DIALOGUE_QUEUE"], connection=connection).enqueue(
                embed_round_task, round_.id, result_ttl=0, failure_ttl=3600, job_timeout=3600
            )
    except RedisError as exc:
        logger.warning("embedding of round %s not queued: %s", round_.id, type(exc).__name__)


def embed_round_task(round_id: int) -> int:
    """The RQ task: embed the round's texts without a vector; runs in ``dialogue worker``."""
    app = _worker_app()
    with app.app_context():
        # Cleared first: a text saved from now on queues a new task, none is left behind.
        _redis(app.config["REDIS_URL"]).delete(_flag(app, round_id))
        try:
            return embedding_worker.embed_new_texts(
                [round_id], commit=Session.commit, threads=app.config["DIALOGUE_EMBEDDING_THREADS"]
            )
        finally:
            Session.remove()


def unavailable_message(reason: str | None):
    """Why the semantic method cannot run, in one translated line."""
    if reason == "failed":
        return _l("Grouping by meaning is unavailable: its language model could not be loaded.")
    return _l(
        "Grouping by meaning is unavailable: its language model is not installed on this server."
    )
