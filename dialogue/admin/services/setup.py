"""Setting a dialogue up: the dialogue with its five default rounds and first admin, and its staff.

The operator's commands (``dialogue create-dialogue``, ``dialogue add-staff``) call these; they
flush and never commit.
"""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from dialogue.core.audit import record_event
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Membership, Person, Role, RoundKind
from rounds.lifecycle import editing, schedule

#: A slug is part of every URL of the dialogue: short, lower case, readable.
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")


#: The five rounds of the reference process, each a week long, one after the other. Titles
#: and prompts are written in the dialogue's language; the admin adjusts them under "Manage
#: rounds" (and adds the items once themes, priorities and values exist).
DEFAULT_ROUNDS = (
    (
        RoundKind.CHALLENGES,
        _l("Challenges"),
        _l(
            "Which challenges do we face, seen broadly? "
            "Write each challenge as its own short contribution."
        ),
    ),
    (
        RoundKind.PRIORITISATION,
        _l("Priorities"),
        _l("Which of the challenges found in the first round are the most important?"),
    ),
    (
        RoundKind.CULTURE,
        _l("Our culture today"),
        _l(
            "What characterises our culture today: its strengths and weaknesses, "
            "measured against the most important challenges?"
        ),
    ),
    (
        RoundKind.CONSULTATION,
        _l("Consultation on the draft values"),
        _l("What do you think of management's draft values?"),
    ),
    (
        RoundKind.ACTION,
        _l("From values to action"),
        _l("How can I, my team and we across units help turn the values into action?"),
    ),
)


class SetupRefused(Exception):
    """The dialogue cannot be created as asked; nothing was stored."""


def create_dialogue(
    *,
    slug: str,
    title: str,
    admin_email: str,
    language: str = "da",
    public: bool = False,
    start: dt.date | None = None,
    timezone: str = "Europe/Copenhagen",
) -> Membership:
    """A new dialogue with the five default rounds and its first admin; flushes, never commits.

    The rounds run a week each from ``start`` (default: tomorrow) at 08:00 in ``timezone``, in
    the order of the reference process. The admin is found by e-mail or created (without a
    password: they log in by link until one is set). Returns the admin's membership.
    """
    slug = (slug or "").strip().lower()
    title = " ".join((title or "").split())
    email = (admin_email or "").strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise SetupRefused(
            "the slug must be 1-80 lower-case letters, digits and hyphens, e.g. 'values-2026'"
        )
    if not title or len(title) > 200:
        raise SetupRefused("give a title of 1-200 characters")
    if "@" not in email or len(email) > 254:
        raise SetupRefused("give the admin's e-mail address")
    if Session.scalar(select(func.count()).select_from(Dialogue).where(Dialogue.slug == slug)):
        raise SetupRefused(f"a dialogue with the slug {slug!r} exists already")
    dialogue = Dialogue(
        slug=slug, title=title, language=language, timezone=timezone, is_public=public
    )
    Session.add(dialogue)
    Session.flush()
    person = Session.scalar(select(Person).where(Person.email == email))
    if person is None:
        person = Person(email=email, name="")
        Session.add(person)
    admin = Membership(person=person, dialogue=dialogue, role=Role.ADMIN)
    Session.add(admin)
    Session.flush()
    record_event(None, "dialogue.create", dialogue, subject=f"dialogue:{dialogue.id}")
    if start is None:
        start = schedule.to_local(utcnow(), timezone).date() + dt.timedelta(days=1)
    opens = dt.datetime.combine(start, dt.time(8))
    with force_locale(language):
        for kind, round_title, prompt in DEFAULT_ROUNDS:
            editing.create_round(
                dialogue,
                kind=kind,
                title=str(round_title),
                prompt=str(prompt),
                opens_at=opens,
                actor_id=None,
            )
            opens = schedule.default_closing(opens)
    return admin


def add_staff(*, slug: str, email: str, role: Role, name: str = "") -> Membership:
    """Make the person with ``email`` staff of dialogue ``slug``; flushes, never commits.

    The person is found by e-mail or created without a password (they log in by link). Running
    it again for the same role changes nothing, so an operator can hand out a fresh link; a
    member with another role is refused, because a participant turned consultant would read
    texts among which are their own, and one person has one role per dialogue.
    """
    email = (email or "").strip().lower()
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == slug))
    if dialogue is None:
        raise SetupRefused(f"no dialogue with the slug {slug!r}")
    if "@" not in email or len(email) > 254:
        raise SetupRefused("give the staff member's e-mail address")
    person = Session.scalar(select(Person).where(Person.email == email))
    if person is None:
        person = Person(email=email, name=" ".join((name or "").split())[:200])
        Session.add(person)
        Session.flush()
    membership = Session.scalar(
        select(Membership).where(
            Membership.person_id == person.id, Membership.dialogue_id == dialogue.id
        )
    )
    if membership is not None:
        if membership.role is not role:
            raise SetupRefused(
                f"{email} is {membership.role.value} in {slug!r} already; one role per dialogue"
            )
        return membership
    membership = Membership(person=person, dialogue=dialogue, role=role)
    Session.add(membership)
    Session.flush()
    record_event(None, "staff.add", dialogue, subject=f"person:{person.id}", role=role.value)
    return membership
