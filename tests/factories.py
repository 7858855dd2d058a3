"""Small builders for test data. They flush, never commit."""

from __future__ import annotations

import datetime as dt
import itertools

import pyotp

from dialogue.auth.services.logins import hash_password
from dialogue.core.anonymity import author_pseudonym
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Dialogue, Membership, Person, Role, Round, RoundKind
from tests.conftest import TEST_SECRETS

_numbers = itertools.count(1)
STAFF_PASSWORD = "correct horse battery staple"


def make_dialogue(**values) -> Dialogue:
    """A dialogue with a unique slug."""
    number = next(_numbers)
    dialogue = Dialogue(slug=f"dialogue-{number}", title=f"Dialogue {number}", **values)
    Session.add(dialogue)
    Session.flush()
    return dialogue


def make_member(
    dialogue: Dialogue, role: Role = Role.PARTICIPANT, enrolled: bool = True, **values
) -> Membership:
    """A person with a membership of ``dialogue``.

    Staff get ``STAFF_PASSWORD`` and, unless ``enrolled`` is false, a TOTP secret of their own.
    """
    number = next(_numbers)
    person = Person(email=f"person{number}@example.org", name=f"Person Number{number}")
    if role.is_staff:
        person.password_hash = hash_password(STAFF_PASSWORD)
        if enrolled:
            person.totp_secret = pyotp.random_base32()
    membership = Membership(person=person, dialogue=dialogue, role=role, **values)
    Session.add(membership)
    Session.flush()
    return membership


def make_round(dialogue: Dialogue, kind: RoundKind = RoundKind.CHALLENGES, **values) -> Round:
    """A round that is open now unless told otherwise."""
    now = utcnow()
    values.setdefault("opens_at", now - dt.timedelta(days=1))
    values.setdefault("closes_at", now + dt.timedelta(days=6))
    values.setdefault("position", len(dialogue.rounds) + 1)
    round_ = Round(dialogue=dialogue, kind=kind, title=kind.value.title(), **values)
    Session.add(round_)
    Session.flush()
    return round_


def make_contribution(round_: Round, membership: Membership, body: str) -> Contribution:
    """A contribution written by ``membership``'s person, stored under their pseudonym."""
    author = author_pseudonym(TEST_SECRETS["ANON_SECRET"], round_.dialogue_id, membership.person_id)
    contribution = Contribution(round=round_, author=author, body=body, created_on=utcnow().date())
    Session.add(contribution)
    Session.flush()
    return contribution


def totp_code(person: Person) -> str:
    """A code the server accepts now: this step's, or the next one's if this one was used.

    A third login of one person within the same 30 seconds would need a step that is too far
    ahead; tests that need it move the clock on.
    """
    totp = pyotp.TOTP(person.totp_secret)
    step = totp.timecode(utcnow())
    if person.totp_last_counter is not None and person.totp_last_counter >= step:
        step = person.totp_last_counter + 1
    return totp.generate_otp(step)
