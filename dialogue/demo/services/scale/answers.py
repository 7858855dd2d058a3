"""The large dialogue's input: a million challenges, rankings, culture texts, ratings, pledges."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator

from dialogue.core.clock import utcnow
from dialogue.core.models import Contribution, ModerationState, Round
from dialogue.demo.services import content, corpus
from dialogue.demo.services.scale.bulk import bulk_insert
from dialogue.demo.services.scale.texts import TextMaker
from rounds.items import slug_key

CONTRIBUTION_COLUMNS = (
    "id",
    "round_id",
    "author",
    "body",
    "data",
    "target",
    "created_on",
    "moderation",
)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _days(round_: Round) -> list[dt.date]:
    days = max(0, min(6, (utcnow() - round_.opens_at).days))
    return [round_.opens_at.date() + dt.timedelta(days=d) for d in range(days + 1)]


def add_challenges(round_: Round, authors: list[str], total: int, rng: random.Random):
    """``total`` texts from four in five participants; returns contribution ids by topic."""
    maker = TextMaker(rng)
    writers = rng.sample(authors, k=max(1, len(authors) * 4 // 5))
    by_topic: dict[str, list[uuid.UUID]] = {}
    days = _days(round_)
    visible = ModerationState.VISIBLE

    def rows() -> Iterator[tuple]:
        for index in range(total):
            topic, text = maker.make()
            cid = _uuid(rng)
            by_topic.setdefault(topic, []).append(cid)
            author = writers[index % len(writers)] if index < len(writers) else rng.choice(writers)
            yield (cid, round_.id, author, text, None, None, rng.choice(days), visible)

    count = bulk_insert(Contribution.__table__, CONTRIBUTION_COLUMNS, rows())
    return count, by_topic


def add_rankings(round_: Round, authors: list[str], rng: random.Random) -> int:
    """Round 2's rankings, weighted like the demo's; returns how many."""
    keys = [slug_key(key) for key in content.THEME_WEIGHTS]
    weights = list(content.THEME_WEIGHTS.values())
    days = _days(round_)
    visible = ModerationState.VISIBLE

    def rows() -> Iterator[tuple]:
        for author in rng.sample(authors, k=len(authors) * 3 // 4):
            ranking: list[str] = []
            while len(ranking) < 3:
                pick = rng.choices(keys, weights=weights)[0]
                if pick not in ranking:
                    ranking.append(pick)
            other = rng.choice(content.OTHER_COMMENTS) if rng.random() < 0.05 else None
            data = {"method": "rank", "ranking": ranking}
            yield (_uuid(rng), round_.id, author, other, data, None, rng.choice(days), visible)

    return bulk_insert(Contribution.__table__, CONTRIBUTION_COLUMNS, rows())


def add_culture(round_: Round, authors: list[str], rng: random.Random) -> int:
    """Round 3's strengths and weaknesses of the culture; returns how many."""
    items = round_.settings["items"]
    by_key = {slug_key(key): texts for key, texts in corpus.CULTURE.items()}
    days = _days(round_)
    visible = ModerationState.VISIBLE

    def rows() -> Iterator[tuple]:
        for author in rng.sample(authors, k=len(authors) * 3 // 10):
            for item in rng.sample(items, k=rng.randint(1, 2)):
                strengths, weaknesses = by_key.get(item["key"], ([], []))
                for aspect, texts in (("strength", strengths), ("weakness", weaknesses)):
                    if texts and rng.random() < 0.6:
                        yield (
                            _uuid(rng),
                            round_.id,
                            author,
                            rng.choice(texts),
                            {"aspect": aspect},
                            item["key"],
                            rng.choice(days),
                            visible,
                        )

    return bulk_insert(Contribution.__table__, CONTRIBUTION_COLUMNS, rows())


def add_consultation(round_: Round, authors: list[str], rng: random.Random) -> int:
    """Round 4's ratings of the draft values; returns how many."""
    days = _days(round_)
    visible = ModerationState.VISIBLE

    def rows() -> Iterator[tuple]:
        for author in rng.sample(authors, k=len(authors) * 7 // 10):
            for label, weights in content.DRAFT_VALUES.items():
                if rng.random() < 0.05:
                    continue
                rating = rng.choices(range(1, 6), weights=weights)[0]
                comment = None
                if rng.random() < 0.04:
                    comment = rng.choice(corpus.CONSULTATION_COMMENTS[label])
                yield (
                    _uuid(rng),
                    round_.id,
                    author,
                    comment,
                    {"rating": rating},
                    slug_key(label),
                    rng.choice(days),
                    visible,
                )

    return bulk_insert(Contribution.__table__, CONTRIBUTION_COLUMNS, rows())


def add_commitments(round_: Round, authors: list[str], rng: random.Random) -> int:
    """Round 5's commitments (the open round); returns how many."""
    days = _days(round_)
    visible = ModerationState.VISIBLE

    def rows() -> Iterator[tuple]:
        for author in rng.sample(authors, k=len(authors) // 10):
            for label in rng.sample(content.FINAL_VALUES, k=rng.randint(1, 2)):
                scope = rng.choice(list(corpus.COMMITMENTS))
                yield (
                    _uuid(rng),
                    round_.id,
                    author,
                    rng.choice(corpus.COMMITMENTS[scope]),
                    {"aspect": scope},
                    slug_key(label),
                    rng.choice(days),
                    visible,
                )

    return bulk_insert(Contribution.__table__, CONTRIBUTION_COLUMNS, rows())
