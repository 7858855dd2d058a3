"""Contributions' sentence embeddings: stored once per text, computed in batches, reused.

The semantic analysis of a round should only have to cluster vectors, so each text is embedded
once, soon after it is written, and never by a web worker (the model takes the CPU a request
needs). Who computes them:

- **the embedding worker** (``dialogue embed-worker``, :func:`run_worker`), which ``dialogue
  run`` starts beside the web server and stops with it: it looks for texts of rounds that are
  open (or closed within ``GRACE``) without a vector, and embeds them in batches once texts
  stop arriving for a few seconds (or have waited ``PATIENCE_SECONDS``), on CPU time the web
  server leaves over (``rounds.embedding_worker``);
- **the RQ worker** when ``REDIS_URL`` is set: a submission asks for one RQ task per round
  (``dialogue.workbench.jobs.schedule``), which runs ``embed_new_texts`` of the same module;
- ``dialogue embed``, and at the latest the analysis run itself (:func:`vectors_for`), for
  imported or generated material, closed rounds and the extra installed later.

A batch reads its texts in a short transaction, computes the vectors outside any transaction,
and writes them in one short transaction, keeping only the texts that are still there
unchanged. Nothing about the work is recorded per text: no job row, no time (a row per saved
text in ``jobs`` would show when a round received each input). An edit deletes the text's
vector (``rounds.submissions``), so the worker finds the text again.

A vector is pending when its contribution has a text and there is no vector, or the stored one
was computed from another text (the SHA-256 differs) or by another model.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from analysis.embed import WINDOW, load_embedder, model_name, text_hash
from dialogue.core.db import Session
from dialogue.core.models import Contribution, ContributionEmbedding

logger = logging.getLogger(__name__)

#: Texts embedded and committed together: a job stopped half-way keeps most of its work.
CHUNK = 256

Progress = Callable[[str, int, int], None]


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


def vector_rows(embedder, pairs, vectors, tokens) -> list[dict]:
    """The stored rows of ``pairs``' vectors: model, text hash, vector bytes, token count."""
    return [
        {
            "contribution_id": cid,
            "model": embedder.name,
            "text_hash": text_hash(text),
            "vector": vector.astype("<f4").tobytes(),
            "tokens": int(count),
        }
        for (cid, text), vector, count in zip(pairs, vectors, tokens, strict=True)
    ]


def upsert_vectors(rows: list[dict]) -> None:
    """Insert or replace vectors in one statement.

    A worker and a semantic run may embed the same new text at the same time: the second to
    commit replaces the first's vector instead of failing.
    """
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


def store(pairs: Sequence[tuple[uuid.UUID, str]], threads: int = 1, progress=None) -> None:
    """Embed the texts of `pairs` and store (or replace) their vectors (caller's transaction)."""
    embedder = load_embedder(threads)
    vectors, tokens = embedder.embed([text for _cid, text in pairs], progress=progress)
    upsert_vectors(vector_rows(embedder, pairs, vectors, tokens))


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
