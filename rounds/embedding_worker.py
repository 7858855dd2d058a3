"""The embedding worker's batches: texts of watched rounds embedded soon after they are written.

See ``rounds.embeddings`` for who embeds when; here are the worker's steps (``dialogue
embed-worker``) and the RQ task's (:func:`embed_new_texts`): find texts without a vector, embed
them with no transaction open, store those still unchanged.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from analysis.embed import load_embedder
from dialogue.core.db import WRITE_INTENT, Session
from dialogue.core.models import Contribution, ContributionEmbedding, Round
from rounds.embeddings import upsert_vectors, vector_rows

#: Texts one batch of the worker embeds before it writes them (a few seconds of one core).
BATCH = 64
#: Seconds without a new text before the worker embeds (see :class:`Lull`).
QUIET_SECONDS = 10.0
#: The longest a text waits for its vector while texts keep arriving.
PATIENCE_SECONDS = 600.0
#: Rounds closed this long ago are still watched: a text saved at the last second is embedded.
GRACE = dt.timedelta(hours=1)


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
    rows = vector_rows(embedder, work, vectors, tokens)
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
            upsert_vectors(unchanged)
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
