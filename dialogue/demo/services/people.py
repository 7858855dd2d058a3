"""The demo's people: staff with documented passwords and keys, participants, login links."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from dialogue.auth.services.logins import hash_password, issue_login_link
from dialogue.core.anonymity import author_pseudonym
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Membership, Person, Role
from dialogue.core.urls import external_url
from dialogue.demo.services import content

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


def _person(email: str, name: str) -> Person:
    person = Session.scalar(select(Person).where(Person.email == email))
    if person is None:
        person = Person(email=email, name=name)
        Session.add(person)
    return person


def add_staff(dialogue: Dialogue) -> None:
    """The demo's admin, consultant and management, with the documented password and keys."""
    password_hash = hash_password(STAFF_PASSWORD)
    for role, email, name in STAFF:
        person = _person(email, name)
        person.password_hash = password_hash
        person.totp_secret = STAFF_TOTP_SECRETS[role]
        Session.add(Membership(person=person, dialogue=dialogue, role=role))


def add_participants(dialogue: Dialogue, rng: random.Random) -> list[Person]:
    """The participants of every department and role group, with made-up Danish names."""
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


def participant_authors(dialogue: Dialogue, participants: list[Person]) -> list[str]:
    """The participants' author pseudonyms in this dialogue, in their order."""
    secret = current_app.config["ANON_SECRET"]
    return [author_pseudonym(secret, dialogue.id, person.id) for person in participants]


def issue_logins(dialogue: Dialogue) -> list[Login]:
    """Ways to log in: every staff member and fresh links for the first three participants."""
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
