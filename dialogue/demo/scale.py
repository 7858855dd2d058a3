"""``dialogue generate``: a dialogue the size of a large organisation, for load and page tests.

100,000 participants in departments and role groups, five rounds shaped like the demo's
(challenges, prioritisation, culture and consultation closed and published, action open), a
million short Danish challenge texts recombined from the demo's sentences and the project's
own Danish staff-dialogue texts, structured answers (rankings, ratings) so that results pages
have real work, and a theme analysis of round 1 (each text's topic becomes its theme) so the
workbench has themes with hundreds of thousands of members.

Rows go in with bulk statements: ``COPY`` on PostgreSQL, Core ``insert()`` executemany on
SQLite; never one ORM object per row. Authors are real pseudonyms
(:func:`dialogue.core.anonymity.author_pseudonym`), so participants who log in find their input.
Not for real data: every participant's address ends in ``.example``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Table, insert, select

from dialogue.auth.services.logins import hash_password
from dialogue.core import migrate
from dialogue.core.anonymity import author_pseudonym
from dialogue.core.clock import utcnow
from dialogue.core.config import PROJECT_ROOT
from dialogue.core.db import Session
from dialogue.core.models import (
    AnalysisRun,
    Contribution,
    Dialogue,
    Membership,
    ModerationState,
    Person,
    Role,
    Round,
    RoundKind,
    Theme,
    ThemeEdit,
    ThemeMember,
)
from dialogue.core.models.analysis import MemberSource, ThemeOrigin, ThemeState
from dialogue.core.models.proposal import ProposalKind
from dialogue.demo import STAFF_PASSWORD, STAFF_TOTP_SECRETS, content, corpus_da, synthesis
from dialogue.synthesis import services
from rounds.items import slug_key

#: Rows per executemany batch on SQLite, and per COPY flush on PostgreSQL.
BATCH = 20_000
STAFF = [
    (Role.ADMIN, "admin", "Anna Administrator"),
    (Role.CONSULTANT, "konsulent", "Karl Konsulent"),
    (Role.MANAGEMENT, "direktion", "Dorte Direktør"),
]
#: Department names: areas × units, so a large organisation has a realistic spread of sizes.
AREAS = [
    "Borgerservice",
    "Børn og Unge",
    "Ældre og Sundhed",
    "Teknik og Miljø",
    "Jobcenter",
    "Økonomi og HR",
    "Kultur og Fritid",
    "Social og Handicap",
]
UNITS = ["Nord", "Syd", "Øst", "Vest", "Centrum"]
ROLE_GROUPS = ("Leder", "Medarbejder", "Specialist")
ROLE_WEIGHTS = (8, 80, 12)
OPENERS = [
    "",
    "",
    "",
    "Jeg oplever, at ",
    "Efter min mening: ",
    "I min afdeling mærker vi, at ",
    "Set fra borgerens side: ",
    "Helt konkret: ",
]
#: Endings that vary the load test's texts further (empty: none).
ENDINGS = ["", "", "Det skal vi tage alvorligt.", "Det går ud over kvaliteten.", "Det haster."]
#: Topics of ``benchmarks/data/danish_staff_dialogue.csv`` → the demo's challenge topics.
CSV_TOPICS = {
    "arbejdsmiljø": "arbejdsmiljø",
    "digitalisering": "digitalisering",
    "borgerservice": "borgerne",
    "samarbejde": "samarbejde",
    "ledelse": "ledelse",
    "økonomi": "økonomi",
    "rekruttering": "rekruttering",
    "kompetenceudvikling": "rekruttering",
}


class Timer:
    """Prints how long each phase took and how many rows per second it wrote."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.rows = 0

    def phase(self, name: str, rows: int, began: float) -> None:
        """Report one finished phase."""
        seconds = time.perf_counter() - began
        self.rows += rows
        rate = rows / seconds if seconds > 0 else 0
        click.echo(f"  {name:<28} {rows:>10,} rows  {seconds:7.1f} s  {rate:>10,.0f} rows/s")

    def total(self) -> None:
        """Report the whole run."""
        seconds = time.perf_counter() - self.start
        click.echo(
            f"  {'total':<28} {self.rows:>10,} rows  {seconds:7.1f} s  "
            f"{self.rows / seconds:>10,.0f} rows/s"
        )


# --- bulk writing -----------------------------------------------------------------------------


def _copy_value(value) -> object:
    """A Python value as COPY's text format wants it (None stays None: NULL)."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "value") and not isinstance(value, str | int):  # an enum member
        return value.value
    return value


def bulk_insert(table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``; return how many.

    PostgreSQL: ``COPY … FROM STDIN`` on the session's own connection and transaction.
    Elsewhere: Core ``insert()`` with executemany in batches of ``BATCH``.
    """
    connection = Session.connection()
    count = 0
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        names = ", ".join(columns)
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_copy_value(value) for value in row])
                count += 1
        return count
    statement = insert(table)
    batch: list[dict] = []
    for row in rows:
        batch.append(dict(zip(columns, row, strict=True)))
        if len(batch) >= BATCH:
            connection.execute(statement, batch)
            count += len(batch)
            batch = []
    if batch:
        connection.execute(statement, batch)
        count += len(batch)
    return count


# --- texts ------------------------------------------------------------------------------------


def _csv_texts() -> dict[str, list[str]]:
    path = PROJECT_ROOT / "benchmarks" / "data" / "danish_staff_dialogue.csv"
    texts: dict[str, list[str]] = {}
    if not Path(path).exists():
        return texts
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            topic = CSV_TOPICS.get(row["topic"])
            if topic:
                texts.setdefault(topic, []).append(row["text"].strip())
    return texts


class TextMaker:
    """Short Danish challenge texts for load tests: an opener, a demo text and an ending.

    A million texts need recombination; the demo itself uses each hand-written text once.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.topics = list(corpus_da.CHALLENGES)
        self.weights = [content.THEME_WEIGHTS.get(topic, 3) + 2 for topic in self.topics]
        extra = _csv_texts()
        self.statements = {
            topic: [s.rstrip(".") for s in texts] + [t.rstrip(".") for t in extra.get(topic, [])]
            for topic, texts in corpus_da.CHALLENGES.items()
        }

    def make(self) -> tuple[str, str]:
        """(topic, text)."""
        rng = self.rng
        topic = rng.choices(self.topics, weights=self.weights)[0]
        statement = rng.choice(self.statements[topic])
        opener = rng.choice(OPENERS)
        if opener:
            statement = opener + statement[0].lower() + statement[1:]
        return topic, f"{statement}. {rng.choice(ENDINGS)}".strip()


# --- the dialogue -----------------------------------------------------------------------------


def _create_dialogue(slug: str) -> Dialogue:
    dialogue = Dialogue(
        slug=slug,
        title=f"Stor dialog: {content.TITLE}",
        description=content.DESCRIPTION,
        language="da",
        timezone="Europe/Copenhagen",
        is_public=True,
        min_group_size=5,
    )
    zone = ZoneInfo(dialogue.timezone)
    today = utcnow().astimezone(zone).date()
    start = today - dt.timedelta(days=2 + 7 * (len(content.ROUNDS) - 1))
    last = len(content.ROUNDS) - 1
    themes = [{"key": slug_key(key), "label": label} for key, label in content.THEME_LABELS.items()]
    top = sorted(content.THEME_WEIGHTS, key=lambda key: -content.THEME_WEIGHTS[key])[:4]
    settings = {
        "prioritisation": {"items": themes, "method": "rank", "top_k": 3},
        "culture": {
            "items": [{"key": slug_key(key), "label": content.THEME_LABELS[key]} for key in top]
        },
        "consultation": {"items": [{"key": slug_key(v), "label": v} for v in content.DRAFT_VALUES]},
        "action": {"items": [{"key": slug_key(v), "label": v} for v in content.FINAL_VALUES]},
    }
    for position, (kind, title, prompt) in enumerate(content.ROUNDS):
        opens = dt.datetime.combine(start + dt.timedelta(weeks=position), dt.time(8), zone)
        closes = dt.datetime.combine(start + dt.timedelta(weeks=position + 1), dt.time(8), zone)
        dialogue.rounds.append(
            Round(
                position=position + 1,
                kind=RoundKind(kind),
                title=title,
                prompt=prompt,
                opens_at=opens.astimezone(dt.UTC),
                closes_at=closes.astimezone(dt.UTC),
                settings=settings.get(kind, {}),
                is_published=position < last,
            )
        )
    Session.add(dialogue)
    Session.flush()
    culture = dialogue.rounds[2]
    culture.settings = {**culture.settings, "source_round": dialogue.rounds[1].id}
    return dialogue


def _add_staff(dialogue: Dialogue, domain: str) -> None:
    password_hash = hash_password(STAFF_PASSWORD)
    for role, local, name in STAFF:
        person = Person(
            email=f"{local}@{domain}",
            name=name,
            password_hash=password_hash,
            totp_secret=STAFF_TOTP_SECRETS[role],
        )
        Session.add(person)
        Session.add(Membership(person=person, dialogue=dialogue, role=role))
    Session.flush()


def _departments(n_participants: int, rng: random.Random) -> list[tuple[str, int]]:
    """Departments with sizes that vary; one is deliberately tiny, to be suppressed."""
    names = [f"{area} {unit}" for area in AREAS for unit in UNITS]
    weights = [rng.uniform(0.3, 3.0) for _ in names]
    scale = (n_participants - 3) / sum(weights)
    sizes = [max(1, int(w * scale)) for w in weights]
    sizes[-1] = 3
    sizes[0] += n_participants - sum(sizes)
    return list(zip(names, sizes, strict=True))


def _add_participants(dialogue: Dialogue, n: int, domain: str, rng: random.Random) -> list[int]:
    """Bulk-insert people and memberships; return the people's ids in insertion order."""
    departments = _departments(n, rng)
    segment = [dep for dep, size in departments for _ in range(size)]
    roles = rng.choices(ROLE_GROUPS, weights=ROLE_WEIGHTS, k=n)

    def people() -> Iterator[tuple]:
        for number in range(1, n + 1):
            first, last = rng.choice(content.FIRST_NAMES), rng.choice(content.LAST_NAMES)
            yield (f"p{number}@{domain}", f"{first} {last}", True)

    bulk_insert(Person.__table__, ("email", "name", "is_active"), people())
    ids = dict(
        Session.execute(
            select(Person.email, Person.id).where(Person.email.like(f"p%@{domain}"))
        ).all()
    )
    person_ids = [ids[f"p{number}@{domain}"] for number in range(1, n + 1)]
    bulk_insert(
        Membership.__table__,
        ("person_id", "dialogue_id", "role", "department", "role_group"),
        (
            (pid, dialogue.id, Role.PARTICIPANT, segment[i], roles[i])
            for i, pid in enumerate(person_ids)
        ),
    )
    return person_ids


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


def _add_challenges(round_: Round, authors: list[str], total: int, rng: random.Random):
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


def _add_rankings(round_: Round, authors: list[str], rng: random.Random) -> int:
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


def _add_culture(round_: Round, authors: list[str], rng: random.Random) -> int:
    items = round_.settings["items"]
    by_key = {slug_key(key): texts for key, texts in corpus_da.CULTURE.items()}
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


def _add_consultation(round_: Round, authors: list[str], rng: random.Random) -> int:
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
                    comment = rng.choice(corpus_da.CONSULTATION_COMMENTS[label])
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


def _add_commitments(round_: Round, authors: list[str], rng: random.Random) -> int:
    days = _days(round_)
    visible = ModerationState.VISIBLE

    def rows() -> Iterator[tuple]:
        for author in rng.sample(authors, k=len(authors) // 10):
            for label in rng.sample(content.FINAL_VALUES, k=rng.randint(1, 2)):
                scope = rng.choice(list(corpus_da.COMMITMENTS))
                yield (
                    _uuid(rng),
                    round_.id,
                    author,
                    rng.choice(corpus_da.COMMITMENTS[scope]),
                    {"aspect": scope},
                    slug_key(label),
                    rng.choice(days),
                    visible,
                )

    return bulk_insert(Contribution.__table__, CONTRIBUTION_COLUMNS, rows())


def _add_themes(round_: Round, by_topic: dict[str, list[uuid.UUID]], rng: random.Random) -> int:
    """An analysis run of round 1 whose themes are the texts' topics; a few texts unassigned."""
    consultant = Session.scalar(
        select(Membership.person_id).where(
            Membership.dialogue_id == round_.dialogue_id, Membership.role == Role.CONSULTANT
        )
    )
    n_documents = sum(len(ids) for ids in by_topic.values())
    run = AnalysisRun(
        round_id=round_.id,
        method="tfidf",
        parameters={"generated": True, "n_themes": len(by_topic)},
        seed=0,
        versions={"generator": "dialogue generate"},
        quality={},
        actor_id=consultant,
    )
    Session.add(run)
    Session.flush()
    themes = {}
    for topic in by_topic:
        theme = Theme(
            round_id=round_.id,
            label=content.THEME_LABELS.get(topic, topic.capitalize()),
            top_terms=[],
            origin=ThemeOrigin.RUN,
            state=ThemeState.SUGGESTED,
            run_id=run.id,
        )
        Session.add(theme)
        themes[topic] = theme
    Session.flush()
    unassigned = 0

    def rows() -> Iterator[tuple]:
        nonlocal unassigned
        for topic, ids in by_topic.items():
            theme_id = themes[topic].id
            for cid in ids:
                if rng.random() < 0.04:
                    unassigned += 1
                    continue
                yield (theme_id, cid, MemberSource.AUTO, round(rng.uniform(0.15, 0.95), 4))

    count = bulk_insert(
        ThemeMember.__table__, ("theme_id", "contribution_id", "source", "score"), rows()
    )
    run.quality = {
        "n_documents": n_documents,
        "n_themes": len(themes),
        "n_unassigned": unassigned,
        "n_skipped": 0,
        "n_duplicate_groups": 0,
        "mean_fit": None,
        "silhouette": None,
    }
    run.changes = [
        {
            "theme_id": t.id,
            "label": t.label,
            "kind": "new",
            "size": len(by_topic[k]),
            "previous_size": 0,
            "previous_ids": [],
        }
        for k, t in themes.items()
    ]
    Session.add(
        ThemeEdit(
            round_id=round_.id,
            actor_id=consultant,
            action="run",
            after={"run_id": run.id, "n_themes": len(themes)},
        )
    )
    Session.flush()
    return count


def _add_proposals(round_: Round) -> int:
    """The demo's values drafted from round 1's themes: four final, one set aside, one text too.

    Without them the traceability pages (my input, coverage, strategy map, public values) would
    have nothing to trace, and a benchmark of them would measure an empty graph.
    """
    themes = {
        theme.label: theme
        for theme in Session.scalars(select(Theme).where(Theme.round_id == round_.id))
    }
    proposals = []
    for title, (perspective, topics, note) in synthesis.DRAFTS.items():
        proposal = services.create_proposal(
            round_.dialogue,
            kind=ProposalKind.VALUE,
            title=title,
            perspective=perspective,
            actor_id=None,
        )
        for topic in topics:
            theme = themes.get(content.THEME_LABELS.get(topic, topic.capitalize()))
            if theme is not None:
                services.add_source(proposal, theme=theme, note=note, actor_id=None)
        if title in synthesis.FINALS:
            final_title, change_note = synthesis.FINALS[title]
            services.finalise_proposal(
                proposal, title=final_title, text="", note=change_note, actor_id=None
            )
        else:
            services.drop_proposal(proposal, note=synthesis.DROPPED[1], actor_id=None)
        proposals.append(proposal)
    single = Session.scalar(
        select(Contribution.id).where(Contribution.round_id == round_.id).limit(1)
    )
    services.add_source(proposals[0], contribution=Session.get(Contribution, single), actor_id=None)
    Session.flush()
    return len(proposals)


def generate(
    *,
    participants: int,
    contributions: int,
    slug: str,
    seed: int = 2026,
    themes: bool = True,
) -> Dialogue:
    """Build the large dialogue ``slug`` and commit after each phase; print timings."""
    if Session.scalar(select(Dialogue.id).where(Dialogue.slug == slug)) is not None:
        raise click.ClickException(
            f"a dialogue {slug!r} exists already; choose another --slug or a fresh database"
        )
    rng = random.Random(seed)  # nosec B311 - benchmark content, nothing secret
    timer = Timer()
    domain = f"{slug}.example"
    began = time.perf_counter()
    dialogue = _create_dialogue(slug)
    _add_staff(dialogue, domain)
    Session.commit()
    timer.phase("dialogue, rounds, staff", 1 + len(dialogue.rounds) + 2 * len(STAFF), began)

    began = time.perf_counter()
    person_ids = _add_participants(dialogue, participants, domain, rng)
    Session.commit()
    timer.phase("people and memberships", 2 * len(person_ids), began)

    secret = current_app.config["ANON_SECRET"]
    authors = [author_pseudonym(secret, dialogue.id, pid) for pid in person_ids]
    challenges, priorities, culture, consultation, action = dialogue.rounds

    began = time.perf_counter()
    count, by_topic = _add_challenges(challenges, authors, contributions, rng)
    Session.commit()
    timer.phase("challenges (round 1)", count, began)
    for name, add, round_ in (
        ("rankings (round 2)", _add_rankings, priorities),
        ("culture texts (round 3)", _add_culture, culture),
        ("ratings (round 4)", _add_consultation, consultation),
        ("commitments (round 5, open)", _add_commitments, action),
    ):
        began = time.perf_counter()
        count = add(round_, authors, rng)
        Session.commit()
        timer.phase(name, count, began)
    if themes:
        began = time.perf_counter()
        count = _add_themes(challenges, by_topic, rng)
        Session.commit()
        timer.phase("themes of round 1", count, began)
        began = time.perf_counter()
        count = _add_proposals(challenges)
        Session.commit()
        timer.phase("values from the themes", count, began)
    if Session.connection().dialect.name == "postgresql":
        began = time.perf_counter()
        Session.connection().exec_driver_sql("ANALYZE")
        Session.commit()
        timer.phase("ANALYZE", 0, began)
    timer.total()
    return dialogue


@click.command("generate")
@click.option("--participants", type=click.IntRange(min=10), default=100_000, show_default=True)
@click.option(
    "--contributions",
    type=click.IntRange(min=1),
    default=1_000_000,
    show_default=True,
    help="Texts in the closed challenges round.",
)
@click.option("--slug", default="stor-dialog", show_default=True, help="The new dialogue's slug.")
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option(
    "--themes/--no-themes",
    default=True,
    show_default=True,
    help="Store a theme analysis of round 1 (the texts' topics as themes).",
)
@with_appcontext
def generate_command(participants, contributions, slug, seed, themes):
    """Fill the database with one large synthetic dialogue, for load and page-speed tests."""
    if not migrate.is_up_to_date(current_app):
        migrate.upgrade(current_app)
    click.echo(
        f"generating {participants:,} participants and {contributions:,} contributions "
        f"into {Session.connection().dialect.name} …"
    )
    dialogue = generate(
        participants=participants,
        contributions=contributions,
        slug=slug,
        seed=seed,
        themes=themes,
    )
    click.echo(
        f"dialogue {dialogue.slug!r} (id {dialogue.id}) ready; staff log in as "
        f"admin@{slug}.example, konsulent@{slug}.example or direktion@{slug}.example "
        f"with password {STAFF_PASSWORD!r} and the TOTP keys that `dialogue demo` prints"
    )
