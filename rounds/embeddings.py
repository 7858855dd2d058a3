"""Contributions' sentence embeddings: stored once per text, computed in batches, reused.

The semantic analysis of a round should only have to cluster vectors, so each text is embedded
once, soon after it is written, and never by a web worker (the model takes the CPU a request
needs). Who computes them:

- **the embedding worker** (``dialogue embed-worker``, :func:`run_worker`), which ``dialogue
  run`` starts beside the web server and stops with it: it looks for texts of rounds that are
  open (or closed within :data:`GRACE`) without a vector, and embeds them in batches once texts
  stop arriving for a few seconds (or have waited :data:`PATIENCE_SECONDS`), on CPU time the
  web server leaves over;
- **the RQ worker** when ``REDIS_URL`` is set: a submission asks for one RQ task per round
  (``dialogue.workbench.jobs.schedule``), which runs :func:`embed_new_texts`;
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

import datetime as dt
import logging
import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from analysis.embed import WINDOW, load_embedder, model_name, text_hash
from dialogue.core.db import WRITE_INTENT, Session
from dialogue.core.models import Contribution, ContributionEmbedding, Round

logger = logging.getLogger(__name__)

#: Texts embedded and committed together: a job stopped half-way keeps most of its work.
CHUNK = 256
#: Texts one batch of the worker embeds before it writes them (a few seconds of one core).
BATCH = 64
#: Seconds without a new text before the worker embeds (see :class:`Lull`).
QUIET_SECONDS = 10.0
#: The longest a text waits for its vector while texts keep arriving.
PATIENCE_SECONDS = 600.0
#: Rounds closed this long ago are still watched: a text saved at the last second is embedded.
GRACE = dt.timedelta(hours=1)

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


def _rows(embedder, pairs, vectors, tokens) -> list[dict]:
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


def _upsert(rows: list[dict]) -> None:
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
    _upsert(_rows(embedder, pairs, vectors, tokens))


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


# --- the worker's batches -----------------------------------------------------------------------


def watched_rounds(now: dt.datetime) -> list[int]:
    """Rounds that take input now or took it within :data:`GRACE`: where new texts appear."""
    return list(
        Session.scalars(
            select(Round.id).where(Round.opens_at <= now, Round.closes_at > now - GRACE)
        )
    )


def _without_vector(round_ids: Sequence[int], limit: int) -> list[tuple[uuid.UUID, str]]:
    """Up to `limit` texts of these rounds that have no vector at all (new, or edited)."""
    query = (
        select(Contribution.id, Contribution.body)
        .outerjoin(ContributionEmbedding)
        .where(
            ContributionEmbedding.contribution_id.is_(None),
            Contribution.round_id.in_(round_ids),
            Contribution.body.is_not(None),
            Contribution.body != "",
        )
        .order_by(Contribution.id)  # random ids: vectors are not written in submission order
        .limit(limit)
    )
    return [(row.id, row.body) for row in Session.execute(query)]


def embed_batch(
    round_ids: Sequence[int],
    *,
    commit: Callable[[], None],
    limit: int = BATCH,
    threads: int = 1,
) -> int:
    """Embed up to `limit` texts without a vector in `round_ids`; return how many were found.

    Three steps, so that no transaction stays open while the model works: read the texts and
    end the read; compute the vectors; in one short transaction read the texts again and store
    the vectors of those still there unchanged (an edit or a withdrawal in between wins), and
    `commit` it (the worker's or the task's own commit: this module only flushes).

    Raises
    ------
    EmbeddingUnavailable
        If the extra is missing or the model does not load.
    """
    if not round_ids:
        return 0
    work = _without_vector(round_ids, limit)
    Session.rollback()  # ends the read: nothing is held while the model runs
    if not work:
        return 0
    embedder = load_embedder(threads)
    vectors, tokens = embedder.embed([text for _cid, text in work])
    rows = _rows(embedder, work, vectors, tokens)
    token = WRITE_INTENT.set(True)  # SQLite: take the write lock at BEGIN, as a request does
    try:
        current = dict(
            Session.execute(
                select(Contribution.id, Contribution.body).where(
                    Contribution.id.in_([cid for cid, _text in work])
                )
            ).all()
        )
        unchanged = [
            row for row, (cid, text) in zip(rows, work, strict=True) if current.get(cid) == text
        ]
        if unchanged:
            _upsert(unchanged)
        commit()
    except BaseException:
        Session.rollback()
        raise
    finally:
        WRITE_INTENT.reset(token)
    return len(work)


def embed_new_texts(
    round_ids: Sequence[int], *, commit: Callable[[], None], threads: int = 1
) -> int:
    """Embed batch after batch until these rounds have no text without a vector; how many."""
    total = 0
    while True:
        found = embed_batch(round_ids, commit=commit, threads=threads)
        total += found
        if found < BATCH:
            return total


@dataclass
class Lull:
    """When the worker embeds: once texts stop arriving, or when the oldest has waited enough.

    Embedding a text costs a core for a few tens of milliseconds, which on a small machine is
    taken from the requests even in the idle scheduling class (shared caches, memory bandwidth,
    SQLite's write lock for each batch). So while texts keep arriving the worker waits for a
    lull of `quiet` seconds, and only texts that have waited `patience` seconds are embedded
    regardless. Arrival is seen in the number of texts in the watched rounds, which says
    nothing about who wrote or when: the database stores no time of a text.
    """

    quiet: float = QUIET_SECONDS
    patience: float = PATIENCE_SECONDS
    seen: int | None = None
    last_change: float = -math.inf
    waiting_since: float | None = None

    def look(self, count: int, now: float) -> bool:
        """Record a look that found `count` texts at `now` (seconds); whether to embed now."""
        if self.seen is not None and count != self.seen:
            self.last_change = now
            if self.waiting_since is None:
                self.waiting_since = now
        self.seen = count
        if now - self.last_change >= self.quiet:
            return True
        return self.waiting_since is not None and now - self.waiting_since >= self.patience

    def arriving(self, now: float) -> bool:
        """Whether texts arrived within the last `quiet` seconds."""
        return now - self.last_change < self.quiet

    def caught_up(self) -> None:
        """Every text had its vector at the last batch: nothing is waiting."""
        self.waiting_since = None


def texts_in(round_ids: Sequence[int]) -> int:
    """How many texts the rounds hold: a cheap count, to tell whether texts are arriving."""
    if not round_ids:
        return 0
    return Session.scalar(
        select(func.count()).select_from(Contribution).where(Contribution.round_id.in_(round_ids))
    )
