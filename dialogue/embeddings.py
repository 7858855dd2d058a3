"""Contributions' sentence embeddings: computed off the request path, stored once, reused.

The semantic analysis of a round should only have to cluster vectors, so each text is embedded
once, soon after it is written: the participant's view commits first and then asks for an
``embed`` job (:func:`schedule`), which a job runner does in the background. A job embeds
everything pending in its round, batch by batch, and looks again before it ends, so texts
written while it ran are not left behind. Whatever still slips through (a job refused as
already active at its very end, imported or generated material, the extra installed later) is
embedded by ``dialogue embed`` or, at the latest, by the analysis run itself
(:func:`vectors_for`).

A vector is pending when its contribution has a text and there is no vector, or the stored one
was computed from another text (edited: the SHA-256 differs) or by another model.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence

import numpy as np
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from analysis.embed import WINDOW, EmbeddingUnavailable, load_embedder, model_name, text_hash
from dialogue.db import Session
from dialogue.jobs import JobActive, JobContext, JobOutcome, JobRefused, enqueue
from dialogue.models import Contribution, ContributionEmbedding, Round

logger = logging.getLogger(__name__)

KIND = "embed"
#: Texts embedded and committed together: a job stopped half-way keeps most of its work.
CHUNK = 256

Progress = Callable[[str, int, int], None]


def _key(round_id: int | None) -> str:
    return "all" if round_id is None else f"round:{round_id}"


def pending(round_id: int | None = None) -> list[tuple[uuid.UUID, str]]:
    """(contribution id, text) of every text without a current vector, in `round_id` or all.

    Raises
    ------
    EmbeddingUnavailable
        If the ``semantic`` extra is not installed.
    """
    model = model_name()
    query = (
        select(
            Contribution.id,
            Contribution.body,
            ContributionEmbedding.text_hash,
            ContributionEmbedding.model,
        )
        .outerjoin(ContributionEmbedding)
        .where(Contribution.body.is_not(None), Contribution.body != "")
        .order_by(Contribution.id)
    )
    if round_id is not None:
        query = query.where(Contribution.round_id == round_id)
    return [
        (row.id, row.body)
        for row in Session.execute(query)
        if row.model != model or row.text_hash != text_hash(row.body)
    ]


def store(pairs: Sequence[tuple[uuid.UUID, str]], threads: int = 1, progress=None) -> None:
    """Embed the texts of `pairs` and store (or replace) their vectors.

    One upsert: an embedding job and a semantic run may embed the same new text at the same
    time, and the second to commit then replaces the first's vector instead of failing.
    """
    embedder = load_embedder(threads)
    vectors, tokens = embedder.embed([text for _cid, text in pairs], progress=progress)
    rows = [
        {
            "contribution_id": cid,
            "model": embedder.name,
            "text_hash": text_hash(text),
            "vector": vector.astype("<f4").tobytes(),
            "tokens": int(count),
        }
        for (cid, text), vector, count in zip(pairs, vectors, tokens, strict=True)
    ]
    dialect = Session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
        ContributionEmbedding
    ).values(rows)
    columns = ("model", "text_hash", "vector", "tokens")
    Session.execute(
        statement.on_conflict_do_update(
            index_elements=["contribution_id"],
            set_={column: statement.excluded[column] for column in columns},
        )
    )


def embed_pending(
    round_id: int | None = None,
    *,
    threads: int = 1,
    commit: Callable[[], None] | None = None,
    progress: Progress | None = None,
) -> int:
    """Embed every pending text of `round_id` (or of all rounds); return how many.

    Works in chunks of :data:`CHUNK`, calling `commit` after each, and looks for new pending
    texts once more at the end. `progress` gets ``("embed", done, total)``.

    Raises
    ------
    EmbeddingUnavailable
        If the extra is missing or the model does not load.
    """
    done, seen = 0, set()
    work = pending(round_id)
    while work:
        seen |= {(cid, text_hash(text)) for cid, text in work}
        total = done + len(work)
        for start in range(0, len(work), CHUNK):
            chunk = work[start : start + CHUNK]
            store(chunk, threads, _shifted(progress, done, total))
            done += len(chunk)
            if commit is not None:
                commit()
        work = [(c, t) for c, t in pending(round_id) if (c, text_hash(t)) not in seen]
    return done


def _shifted(progress: Progress | None, offset: int, total: int) -> Progress | None:
    """Report a chunk's progress as progress through the whole job."""
    if progress is None:
        return None
    return lambda stage, done, _chunk_total: progress(stage, offset + done, total)


def vectors_for(
    ids: Sequence[uuid.UUID], texts: Sequence[str], *, threads: int = 1, progress=None
) -> tuple[np.ndarray, int]:
    """The stored vectors of the texts with `ids`, embedding the missing or stale ones first.

    Returns the vectors row for row with `ids` and how many texts were longer than the
    model's window (embedded in windows and averaged).

    Raises
    ------
    EmbeddingUnavailable
        If the extra is missing or the model does not load while vectors are missing.
    """
    model = model_name()
    wanted = dict(zip(ids, texts, strict=True))
    rows = _stored(list(wanted))
    missing = [
        (cid, text)
        for cid, text in wanted.items()
        if cid not in rows or rows[cid].model != model or rows[cid].text_hash != text_hash(text)
    ]
    if missing:
        store(missing, threads, progress)
        rows |= _stored([cid for cid, _text in missing])
    vectors = np.stack([np.frombuffer(rows[cid].vector, dtype="<f4") for cid in ids])
    windowed = sum(rows[cid].tokens > WINDOW for cid in ids)
    return vectors.astype(np.float32), int(windowed)


def _stored(ids: list[uuid.UUID]) -> dict[uuid.UUID, ContributionEmbedding]:
    rows: dict[uuid.UUID, ContributionEmbedding] = {}
    for start in range(0, len(ids), 10_000):  # bound the number of bound parameters
        chunk = ids[start : start + 10_000]
        rows |= {
            row.contribution_id: row
            for row in Session.scalars(
                select(ContributionEmbedding)
                .where(ContributionEmbedding.contribution_id.in_(chunk))
                .execution_options(populate_existing=True)  # store() wrote past the ORM
            )
        }
    return rows


def schedule(round_: Round) -> None:
    """Ask for the round's pending texts to be embedded in the background, after a commit.

    Does nothing when switched off (``DIALOGUE_EMBED_ON_SUBMIT``) or without the extra, or when
    a job of the round is already active (it looks again before it ends). Never fails the
    participant's request: their text is saved, and the analysis embeds what is missing.
    """
    if not current_app.config["DIALOGUE_EMBED_ON_SUBMIT"]:
        return
    try:
        model_name()
    except EmbeddingUnavailable:
        return
    try:
        enqueue(KIND, _key(round_.id), embedding_job, round_.id, dialogue_id=round_.dialogue_id)
    except JobActive:
        return
    except SQLAlchemyError as exc:
        logger.warning("embedding of round %s not scheduled: %s", round_.id, type(exc).__name__)


def embedding_job(job: JobContext, round_id: int) -> JobOutcome:
    """Embed the round's pending texts, committing chunk by chunk."""
    if Session.get(Round, round_id) is None:
        raise JobRefused(_l("The round no longer exists."))
    try:
        count = embed_pending(
            round_id,
            threads=current_app.config["DIALOGUE_EMBEDDING_THREADS"],
            commit=job.commit,
            progress=job.stage_progress,
        )
    except EmbeddingUnavailable as exc:
        raise JobRefused(unavailable_message(exc.reason)) from exc
    return JobOutcome(ngettext("%(num)d text embedded.", "%(num)d texts embedded.", count))


def unavailable_message(reason: str | None):
    """Why the semantic method cannot run, in one translated line."""
    if reason == "failed":
        return _l("The semantic method is unavailable: its model could not be loaded.")
    return _l(
        "The semantic method is unavailable: the optional “semantic” package is not installed."
    )
