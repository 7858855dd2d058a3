"""``dialogue demo``: a Danish demo dialogue shaped like the reference case.

Idempotent: a second run finds the dialogue and only issues fresh login links.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import click
from flask import current_app
from sqlalchemy import select

from dialogue.anonymity import author_pseudonym
from dialogue.auth.services import hash_password, issue_login_link
from dialogue.clock import utcnow
from dialogue.db import Session
from dialogue.demo import content
from dialogue.models import Contribution, Dialogue, Membership, Person, Role, Round, RoundKind
from dialogue.urls import external_url

#: Shown in the README and printed by the command; the demo is not for real data.
STAFF_PASSWORD = "demo-dialog-2026"
STAFF = [
    (Role.ADMIN, "admin@demo.example", "Anna Administrator"),
    (Role.CONSULTANT, "konsulent@demo.example", "Karl Konsulent"),
    (Role.MANAGEMENT, "direktion@demo.example", "Dorte Direktør"),
]
LINK_LIFETIME = dt.timedelta(days=7)
ASCII_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


@dataclass(frozen=True)
class Login:
    """How to log in as one demo person."""

    role: Role
    email: str
    password: str | None = None
    link: str | None = None


def build_demo() -> list[Login]:
    """Create the demo dialogue if it is missing, commit, and return fresh ways to log in."""
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    if dialogue is None:
        dialogue = _create_dialogue()
        _add_staff(dialogue)
        participants = _add_participants(dialogue, random.Random(2026))
        _add_challenges(dialogue, participants, random.Random(1))
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
    # Round 1 has run, round 2 is open now, the rest follow week by week.
    start = dt.datetime.combine(utcnow().astimezone(zone).date(), dt.time(8), zone)
    start -= dt.timedelta(days=9)
    for position, (kind, title, prompt) in enumerate(content.ROUNDS):
        opens = start + dt.timedelta(weeks=position)
        dialogue.rounds.append(
            Round(
                position=position + 1,
                kind=RoundKind(kind),
                title=title,
                prompt=prompt,
                opens_at=opens.astimezone(dt.UTC),
                closes_at=(opens + dt.timedelta(weeks=1)).astimezone(dt.UTC),
                settings={},
            )
        )
    Session.add(dialogue)
    Session.flush()
    return dialogue


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


def _challenge_texts(rng: random.Random, count: int) -> list[str]:
    texts = []
    for _ in range(count):
        statements, endings = content.CHALLENGES[rng.choice(list(content.CHALLENGES))]
        ending = rng.choice(endings)
        texts.append(f"{rng.choice(statements)}. {ending}".strip())
    return texts


def _add_challenges(dialogue: Dialogue, participants: list[Person], rng: random.Random) -> None:
    """About four in five participants wrote one to four challenges in round 1."""
    first_round = dialogue.rounds[0]
    secret = current_app.config["ANON_SECRET"]
    contributors = rng.sample(participants, k=len(participants) * 4 // 5)
    minority = set(rng.sample(range(len(contributors)), k=len(content.MINORITY)))
    rows = []
    for index, person in enumerate(contributors):
        author = author_pseudonym(secret, dialogue.id, person.id)
        texts = _challenge_texts(rng, rng.randint(1, 4))
        if index in minority:
            texts[0] = content.MINORITY[len(rows) % len(content.MINORITY)]
        day = first_round.opens_at.date() + dt.timedelta(days=rng.randint(0, 6))
        rows.extend(
            Contribution(round_id=first_round.id, author=author, body=text, created_on=day)
            for text in texts
        )
    rng.shuffle(rows)
    Session.add_all(rows)
    Session.flush()


def _issue_logins(dialogue: Dialogue) -> list[Login]:
    memberships = Session.scalars(
        select(Membership).where(Membership.dialogue_id == dialogue.id).order_by(Membership.id)
    ).all()
    staff = [m for m in memberships if m.role.is_staff]
    participants = [m for m in memberships if m.role is Role.PARTICIPANT][:3]
    logins = [Login(m.role, m.person.email, password=STAFF_PASSWORD) for m in staff]
    for membership in participants:
        token = issue_login_link(membership, LINK_LIFETIME)
        link = external_url("auth.link", token=token)
        logins.append(Login(membership.role, membership.person.email, link=link))
    return logins


def print_logins(logins: list[Login], base_url: str) -> None:
    """Tell the person at the terminal how to log in as each role."""
    click.echo(f"\nDemo dialogue ready: {base_url}/")
    click.echo(f"Staff log in at {base_url}/login with password {STAFF_PASSWORD!r}:")
    for login in logins:
        if login.password:
            click.echo(f"  {login.role.value:<12} {login.email}")
    click.echo("Participants log in with their personal link (valid for 7 days, used once):")
    for login in logins:
        if login.link:
            click.echo(f"  {login.email}: {login.link}")
