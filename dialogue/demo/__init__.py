"""``dialogue demo``: a Danish demo dialogue shaped like the reference case.

Every round kind with realistic input: rounds 1–4 and a repeat of the consultation (round 5)
have closed and their results are published, round 6 (action) is open now, so a participant's
link shows the Delphi feedback of the earlier rounds and a form to answer. Idempotent: a second
run finds the dialogue and only issues fresh login links. Rows are added in bulk, so the whole
build takes a few seconds.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import click
from flask import current_app
from sqlalchemy import select

from dialogue.auth.services.logins import hash_password, issue_login_link
from dialogue.auth.services.totp import grouped
from dialogue.core.anonymity import author_pseudonym
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Dialogue, Membership, Person, Role, Round, RoundKind
from dialogue.core.urls import external_url
from dialogue.demo import content, corpus_da, rerate
from dialogue.demo.analysis import analyse_challenges, analyse_later_rounds
from dialogue.demo.deck import Deck
from dialogue.demo.guard import add_identifying_examples, publish_and_redact
from dialogue.demo.loop import add_loop
from dialogue.demo.release import accept_published_themes
from dialogue.demo.synthesis import add_synthesis
from rounds import get_kind
from rounds.items import slug_key
from rounds.results.records import top_items

#: Shown in the README and printed by the command; the demo is not for real data.
STAFF_PASSWORD = "demo-dialog-2026"  # nosec B105
STAFF = [
    (Role.ADMIN, "admin@demo.example", "Anna Administrator"),
    (Role.CONSULTANT, "konsulent@demo.example", "Karl Konsulent"),
    (Role.MANAGEMENT, "direktion@demo.example", "Dorte Direktør"),
]
#: Fixed TOTP keys of the demo staff, documented like the password, so that a reviewer can add
#: them to an authenticator app once and keep them across fresh demo databases.
STAFF_TOTP_SECRETS = {
    Role.ADMIN: "DEMOADMINTOTPKEYFORTESTINGONLYAA",
    Role.CONSULTANT: "DEMOKONSULENTTOTPKEYFORTESTINGAA",
    Role.MANAGEMENT: "DEMODIREKTIONTOTPKEYFORTESTINGAA",
}
LINK_LIFETIME = dt.timedelta(days=7)
ASCII_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


@dataclass(frozen=True)
class Login:
    """How to log in as one demo person."""

    role: Role
    email: str
    password: str | None = None
    totp_secret: str | None = None
    link: str | None = None


def compute_figures() -> None:
    """Store the demo's figures now, so that its first visitor sees them, not "being computed".

    Pages leave this work to jobs (closed rounds' final figures, the synthesis figures); the
    command runs those jobs in its own process, since a thread would end with the command.
    """
    from dialogue.core.results_cache import finalise_later, is_cacheable
    from dialogue.synthesis.refresh import refresh_later

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


def build_demo() -> list[Login]:
    """Create the demo dialogue if it is missing, commit, and return fresh ways to log in."""
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    if dialogue is None:
        dialogue = _create_dialogue()
        _add_staff(dialogue)
        participants = _add_participants(dialogue, _seeded(2026))
        authors = _authors(dialogue, participants)
        _add_challenges(dialogue, participants, _seeded(1))
        add_identifying_examples(dialogue, participants, authors)
        _add_rankings(dialogue.rounds[1], authors, _seeded(2))
        _add_culture(dialogue.rounds[2], dialogue.rounds[1], authors, _seeded(3))
        analyse_challenges(dialogue, authors[7])
        add_synthesis(dialogue, authors, _seeded(6), _seeded(8))
        analyse_later_rounds(dialogue)
        add_loop(dialogue, authors, _seeded(7))
        accept_published_themes(dialogue)
        publish_and_redact(dialogue)
    logins = _issue_logins(dialogue)
    Session.commit()
    return logins


def _create_dialogue() -> Dialogue:
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
                settings=_settings(kind),
                is_published=position < last,
            )
        )
    Session.add(dialogue)
    Session.flush()
    return dialogue


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


def _person(email: str, name: str) -> Person:
    person = Session.scalar(select(Person).where(Person.email == email))
    if person is None:
        person = Person(email=email, name=name)
        Session.add(person)
    return person


def _add_staff(dialogue: Dialogue) -> None:
    password_hash = hash_password(STAFF_PASSWORD)
    for role, email, name in STAFF:
        person = _person(email, name)
        person.password_hash = password_hash
        person.totp_secret = STAFF_TOTP_SECRETS[role]
        Session.add(Membership(person=person, dialogue=dialogue, role=role))


def _add_participants(dialogue: Dialogue, rng: random.Random) -> list[Person]:
    participants = []
    number = 0
    for department, (leaders, employees) in content.DEPARTMENTS.items():
        for role_group, count in zip(content.ROLE_GROUPS, (leaders, employees), strict=True):
            for _ in range(count):
                number += 1
                first, last = rng.choice(content.FIRST_NAMES), rng.choice(content.LAST_NAMES)
                local = f"{first}.{last}.{number}".lower().translate(ASCII_LETTERS)
                email = f"{local}@demo.example"
                person = _person(email, f"{first} {last}")
                Session.add(
                    Membership(
                        person=person,
                        dialogue=dialogue,
                        role=Role.PARTICIPANT,
                        department=department,
                        role_group=role_group,
                    )
                )
                participants.append(person)
    Session.flush()
    return participants


def _add_challenges(dialogue: Dialogue, participants: list[Person], rng: random.Random) -> None:
    """Four in five participants wrote in round 1; every hand-written text is used once.

    Each contributor gets at least one text and at most six, as in a real first round where
    most write one or two challenges and a few write many.
    """
    first_round = dialogue.rounds[0]
    secret = current_app.config["ANON_SECRET"]
    contributors = rng.sample(participants, k=len(participants) * 4 // 5)
    texts = [text for texts in corpus_da.CHALLENGES.values() for text in texts]
    texts += corpus_da.MINORITY
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


def _authors(dialogue: Dialogue, participants: list[Person]) -> list[str]:
    secret = current_app.config["ANON_SECRET"]
    return [author_pseudonym(secret, dialogue.id, person.id) for person in participants]


def _day(round_: Round, rng: random.Random) -> dt.date:
    """A day within the round's week; never later than today for the open round."""
    days = min(6, (utcnow() - round_.opens_at).days)
    return round_.opens_at.date() + dt.timedelta(days=rng.randint(0, max(days, 0)))


def _add_rankings(round_: Round, authors: list[str], rng: random.Random) -> None:
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


def _add_culture(round_: Round, priorities: Round, authors, rng: random.Random) -> None:
    """The top four priorities become the items; two in five write about one or two of them."""
    chosen = top_items(get_kind(priorities.kind).results(priorities, None), 4)
    round_.settings = {
        "items": [item.as_setting() for item in chosen],
        "source_round": priorities.id,
    }
    decks = {
        (slug_key(key), aspect): Deck(texts, rng)
        for key, pair in corpus_da.CULTURE.items()
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


def _issue_logins(dialogue: Dialogue) -> list[Login]:
    memberships = Session.scalars(
        select(Membership).where(Membership.dialogue_id == dialogue.id).order_by(Membership.id)
    ).all()
    staff = [m for m in memberships if m.role.is_staff]
    participants = [m for m in memberships if m.role is Role.PARTICIPANT][:3]
    for membership in staff:
        # A demo built before staff needed a second factor, or whose key an admin reset, gets
        # the documented key (back), so that what is printed below is true.
        membership.person.totp_secret = (
            membership.person.totp_secret or STAFF_TOTP_SECRETS[membership.role]
        )
    logins = [Login(m.role, m.person.email, STAFF_PASSWORD, m.person.totp_secret) for m in staff]
    for membership in participants:
        token = issue_login_link(membership, LINK_LIFETIME)
        link = external_url("auth.link", token=token)
        logins.append(Login(membership.role, membership.person.email, link=link))
    return logins


def print_logins(logins: list[Login], base_url: str) -> None:
    """Tell the person at the terminal how to log in as each role."""
    click.echo(f"\nDemo dialogue ready: {base_url}/")
    click.echo(
        f"Staff log in at {base_url}/login with password {STAFF_PASSWORD!r} and a code from an "
        "authenticator app; add each key below to the app once (type it in, or enter it as a "
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
