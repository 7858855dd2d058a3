"""The demo dialogue with its rounds, and the input of rounds 1–3 (challenges, ranks, culture)."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from flask import current_app

from dialogue.core.anonymity import author_pseudonym
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Dialogue, Person, Round, RoundKind
from dialogue.demo.services import content, corpus, rerate
from dialogue.demo.services.deck import Deck
from rounds import get_kind
from rounds.items import slug_key
from rounds.results.records import top_items


def create_dialogue() -> Dialogue:
    """The demo dialogue and its rounds, timed so that rounds 1–5 are over and round 6 is open."""
    dialogue = Dialogue(
        slug=content.SLUG,
        title=content.TITLE,
        description=content.DESCRIPTION,
        language="da",
        timezone="Europe/Copenhagen",
        is_public=True,
        min_group_size=5,
    )
    zone = ZoneInfo(dialogue.timezone)
    # Rounds 1–4 have run and are published, and so has the consultation's repeat, which the
    # synthesis adds in the week left free after it; the action round opened two days ago.
    # Weeks are counted by the wall clock, so a round opens and closes at 08:00 local time
    # even across DST.
    kinds = [kind for kind, _title, _prompt in content.ROUNDS]
    weeks = [position + (position > kinds.index("consultation")) for position in range(len(kinds))]
    today = utcnow().astimezone(zone).date()
    start = today - dt.timedelta(days=2 + 7 * weeks[-1])
    add_weekly_rounds(dialogue, start, weeks, _settings)
    Session.add(dialogue)
    Session.flush()
    return dialogue


def add_weekly_rounds(dialogue: Dialogue, start: dt.date, weeks, settings) -> None:
    """The demo's rounds, the one at ``position`` in week ``weeks[position]`` after ``start``.

    Each runs a week from 08:00 local time; ``settings(kind)`` gives its settings; all but the
    last (the open action round) are published.
    """
    zone = ZoneInfo(dialogue.timezone)
    last = len(content.ROUNDS) - 1
    for position, (kind, title, prompt) in enumerate(content.ROUNDS):
        week = weeks[position]
        opens = dt.datetime.combine(start + dt.timedelta(weeks=week), dt.time(8), zone)
        closes = dt.datetime.combine(start + dt.timedelta(weeks=week + 1), dt.time(8), zone)
        dialogue.rounds.append(
            Round(
                position=position + 1,
                kind=RoundKind(kind),
                title=title,
                prompt=prompt,
                opens_at=opens.astimezone(dt.UTC),
                closes_at=closes.astimezone(dt.UTC),
                settings=settings(kind),
                is_published=position < last,
            )
        )


def _items(labels) -> list[dict[str, str]]:
    return [{"key": slug_key(label), "label": label} for label in labels]


def _settings(kind: str) -> dict:
    """Each round's settings; the culture round's items follow from round 2's results."""
    if kind == "prioritisation":
        themes = [{"key": slug_key(key), "label": label} for key, label in THEMES]
        return {"items": themes, "method": "rank", "top_k": 3}
    if kind == "consultation":
        return {"items": _items(content.DRAFT_VALUES), "stop_after": rerate.STOP_AFTER}
    if kind == "action":
        return {"items": _items(content.FINAL_VALUES)}
    return {}


THEMES = list(content.THEME_LABELS.items())


def add_challenges(dialogue: Dialogue, participants: list[Person], rng: random.Random) -> None:
    """Four in five participants wrote in round 1; every hand-written text is used once.

    Each contributor gets at least one text and at most six, as in a real first round where
    most write one or two challenges and a few write many.
    """
    first_round = dialogue.rounds[0]
    secret = current_app.config["ANON_SECRET"]
    contributors = rng.sample(participants, k=len(participants) * 4 // 5)
    texts = [text for texts in corpus.CHALLENGES.values() for text in texts]
    texts += corpus.MINORITY
    rng.shuffle(texts)
    counts = [1] * len(contributors)
    for _ in range(len(texts) - len(contributors)):
        counts[rng.choice([i for i, count in enumerate(counts) if count < 6])] += 1
    rows, start = [], 0
    for person, count in zip(contributors, counts, strict=True):
        author = author_pseudonym(secret, dialogue.id, person.id)
        day = first_round.opens_at.date() + dt.timedelta(days=rng.randint(0, 6))
        rows.extend(
            Contribution(round_id=first_round.id, author=author, body=text, created_on=day)
            for text in texts[start : start + count]
        )
        start += count
    rng.shuffle(rows)
    Session.add_all(rows)
    Session.flush()


def _day(round_: Round, rng: random.Random) -> dt.date:
    """A day within the round's week; never later than today for the open round."""
    days = min(6, (utcnow() - round_.opens_at).days)
    return round_.opens_at.date() + dt.timedelta(days=rng.randint(0, max(days, 0)))


def add_rankings(round_: Round, authors: list[str], rng: random.Random) -> None:
    """Three in four rank their top three themes, leaning towards the heavier themes."""
    keys = [slug_key(key) for key, _label in THEMES]
    weights = [content.THEME_WEIGHTS[key] for key, _label in THEMES]
    rows = []
    for author in rng.sample(authors, k=len(authors) * 3 // 4):
        ranking: list[str] = []
        while len(ranking) < 3:
            pick = rng.choices(keys, weights=weights)[0]
            if pick not in ranking:
                ranking.append(pick)
        other = rng.choice(content.OTHER_COMMENTS) if rng.random() < 0.08 else None
        rows.append(
            Contribution(
                round_id=round_.id,
                author=author,
                data={"method": "rank", "ranking": ranking},
                body=other,
                created_on=_day(round_, rng),
            )
        )
    Session.add_all(rows)
    Session.flush()


def add_culture(round_: Round, priorities: Round, authors, rng: random.Random) -> None:
    """The top four priorities become the items; two in five write about one or two of them."""
    chosen = top_items(get_kind(priorities.kind).results(priorities, None), 4)
    round_.settings = {
        "items": [item.as_setting() for item in chosen],
        "source_round": priorities.id,
    }
    decks = {
        (slug_key(key), aspect): Deck(texts, rng)
        for key, pair in corpus.CULTURE.items()
        for aspect, texts in zip(("strength", "weakness"), pair, strict=True)
    }
    rows = []
    for author in rng.sample(authors, k=len(authors) * 2 // 5):
        for item in rng.sample(chosen, k=rng.randint(1, 2)):
            for aspect in ("strength", "weakness"):
                if rng.random() < 0.6:
                    rows.append(
                        Contribution(
                            round_id=round_.id,
                            author=author,
                            target=item.key,
                            data={"aspect": aspect},
                            body=decks[item.key, aspect].draw(),
                            created_on=_day(round_, rng),
                        )
                    )
    Session.add_all(rows)
    Session.flush()
