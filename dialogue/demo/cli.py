"""The demo's commands: ``dialogue demo`` and ``dialogue generate``; they commit, the steps flush.

``dialogue demo``: a Danish demo dialogue shaped like the reference case.

Every round kind with realistic input: rounds 1–4 and a repeat of the consultation (round 5)
have closed and their results are published, round 6 (action) is open now, so a participant's
link shows the Delphi feedback of the earlier rounds and a form to answer. Idempotent: a second
run finds the dialogue and only issues fresh login links. Rows are added in bulk, so the whole
build takes a few seconds.

``dialogue generate``: a dialogue the size of a large organisation, for load and page tests.

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

import random
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from dialogue.auth.services.totp import grouped
from dialogue.core import migrate
from dialogue.core.anonymity import author_pseudonym
from dialogue.core.db import Session
from dialogue.core.models import Dialogue
from dialogue.demo.services import content, first_rounds, people
from dialogue.demo.services.analysis import analyse_challenges, analyse_later_rounds
from dialogue.demo.services.guard import add_identifying_examples, publish_and_redact
from dialogue.demo.services.loop import add_loop
from dialogue.demo.services.release import accept_published_themes
from dialogue.demo.services.scale import answers as scale_answers
from dialogue.demo.services.scale import people as scale_people
from dialogue.demo.services.scale import themes as scale_themes
from dialogue.demo.services.synthesis import add_synthesis


@click.command("demo")
@with_appcontext
def demo_command():
    """Fill an empty database with a Danish demo dialogue and print how to log in."""
    if not migrate.is_up_to_date(current_app):
        migrate.upgrade(current_app)
    logins = build_demo()
    compute_figures()
    print_logins(logins, current_app.config["PUBLIC_URL"])


def compute_figures() -> None:
    """Store the demo's figures now, so that its first visitor sees them, not "being computed".

    Pages leave this work to jobs (closed rounds' final figures, the synthesis figures); the
    command runs those jobs in its own process, since a thread would end with the command.
    """
    from dialogue.core.results_cache.final import finalise_later
    from dialogue.core.results_cache.store import is_cacheable
    from dialogue.synthesis.jobs import refresh_later

    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    runner = current_app.config.get("JOBS_RUNNER")
    current_app.config["JOBS_RUNNER"] = "inline"
    try:
        for round_ in dialogue.rounds:
            if is_cacheable(round_):
                finalise_later(round_)
        refresh_later(dialogue.id)
    finally:
        current_app.config["JOBS_RUNNER"] = runner


def _seeded(seed: int) -> random.Random:
    """A repeatable generator for demo content, never for anything secret."""
    return random.Random(seed)  # nosec B311


def build_demo() -> list[people.Login]:
    """Create the demo dialogue if it is missing, commit, and return fresh ways to log in."""
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    if dialogue is None:
        dialogue = first_rounds.create_dialogue()
        people.add_staff(dialogue)
        participants = people.add_participants(dialogue, _seeded(2026))
        authors = people.participant_authors(dialogue, participants)
        first_rounds.add_challenges(dialogue, participants, _seeded(1))
        add_identifying_examples(dialogue, participants, authors)
        first_rounds.add_rankings(dialogue.rounds[1], authors, _seeded(2))
        first_rounds.add_culture(dialogue.rounds[2], dialogue.rounds[1], authors, _seeded(3))
        analyse_challenges(dialogue, authors[7])
        add_synthesis(dialogue, authors, _seeded(6), _seeded(8))
        analyse_later_rounds(dialogue)
        add_loop(dialogue, authors, _seeded(7))
        accept_published_themes(dialogue)
        publish_and_redact(dialogue)
    logins = people.issue_logins(dialogue)
    Session.commit()
    return logins


def print_logins(logins: list[people.Login], base_url: str) -> None:
    """Tell the person at the terminal how to log in as each role."""
    click.echo(f"\nDemo dialogue ready: {base_url}/")
    click.echo(
        f"Staff log in at {base_url}/login with password {people.STAFF_PASSWORD!r} and a code from "
        "an authenticator app; add each key below to the app once (type it in, or enter it as a "
        "time-based key):"
    )
    for login in logins:
        if login.password:
            click.echo(
                f"  {login.role.value:<12} {login.email:<24} key {grouped(login.totp_secret)}"
            )
    click.echo("Participants log in with their personal link (valid for 7 days, used once):")
    for login in logins:
        if login.link:
            click.echo(f"  {login.email}: {login.link}")
    click.echo(
        f"To let anyone join by the dialogue's link: dialogue open-dialogue {content.SLUG}; to let "
        f"participants sign in through an OpenID provider (OIDC_ISSUER …): dialogue oidc-sign-in "
        f"{content.SLUG}."
    )


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
    dialogue = scale_people.create_dialogue(slug)
    scale_people.add_staff(dialogue, domain)
    Session.commit()
    timer.phase(
        "dialogue, rounds, staff", 1 + len(dialogue.rounds) + 2 * len(scale_people.STAFF), began
    )

    began = time.perf_counter()
    person_ids = scale_people.add_participants(dialogue, participants, domain, rng)
    Session.commit()
    timer.phase("people and memberships", 2 * len(person_ids), began)

    secret = current_app.config["ANON_SECRET"]
    authors = [author_pseudonym(secret, dialogue.id, pid) for pid in person_ids]
    challenges, priorities, culture, consultation, action = dialogue.rounds

    began = time.perf_counter()
    count, by_topic = scale_answers.add_challenges(challenges, authors, contributions, rng)
    Session.commit()
    timer.phase("challenges (round 1)", count, began)
    for name, add, round_ in (
        ("rankings (round 2)", scale_answers.add_rankings, priorities),
        ("culture texts (round 3)", scale_answers.add_culture, culture),
        ("ratings (round 4)", scale_answers.add_consultation, consultation),
        ("commitments (round 5, open)", scale_answers.add_commitments, action),
    ):
        began = time.perf_counter()
        count = add(round_, authors, rng)
        Session.commit()
        timer.phase(name, count, began)
    if themes:
        _add_themes(challenges, by_topic, rng, timer)
    if Session.connection().dialect.name == "postgresql":
        _analyze(timer)
    timer.total()
    return dialogue


def _add_themes(challenges, by_topic, rng: random.Random, timer: Timer) -> None:
    """Round 1's theme run and the values drawn from its themes, each phase committed and timed."""
    began = time.perf_counter()
    count = scale_themes.add_themes(challenges, by_topic, rng)
    Session.commit()
    timer.phase("themes of round 1", count, began)
    began = time.perf_counter()
    count = scale_themes.add_proposals(challenges)
    Session.commit()
    timer.phase("values from the themes", count, began)


def _analyze(timer: Timer) -> None:
    """Let PostgreSQL's planner see the new tables' sizes before anything is measured."""
    began = time.perf_counter()
    Session.connection().exec_driver_sql("ANALYZE")
    Session.commit()
    timer.phase("ANALYZE", 0, began)


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
        f"with password {people.STAFF_PASSWORD!r} and the TOTP keys that `dialogue demo` prints"
    )
