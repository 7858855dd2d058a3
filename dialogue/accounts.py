"""Disabling and enabling accounts, and ending logins in bulk (TARGETS S5, ASVS 7.4).

Disabling a person does two things in one transaction: ``is_active`` becomes false (no new
login by password or link is accepted, see ``dialogue.auth.services``) and every server-side
session of theirs is deleted, so a browser that is logged in right now is logged out on its
very next request. An administrator can also end every session at once, for example after a
suspected leak of session cookies or of ``SECRET_KEY``.

Each operation adds an audit event with the acting staff member (``None`` when run from the
command line) and counts only; the subject of a disable/enable is the person's internal id,
never their e-mail address. The caller commits.
"""

from __future__ import annotations

from sqlalchemy import select

from dialogue.audit import record_event
from dialogue.db import Session
from dialogue.models import Person
from dialogue.sessions import end_all_sessions


class UnknownPerson(LookupError):
    """No account has this e-mail address."""


def find_person(email: str) -> Person:
    """The account with this e-mail address (active or not), or ``UnknownPerson``."""
    person = Session.scalar(select(Person).where(Person.email == email.strip().lower()))
    if person is None:
        raise UnknownPerson(email)
    return person


def _subject(person: Person) -> str:
    return f"person:{person.id}"


def disable_person(person: Person, actor_id: int | None = None) -> int:
    """Disable ``person`` and end all their sessions; return how many sessions ended."""
    person.is_active = False
    ended = end_all_sessions(person.id)
    record_event(actor_id, "disable_user", subject=_subject(person), sessions_ended=ended)
    Session.flush()
    return ended


def enable_person(person: Person, actor_id: int | None = None) -> None:
    """Let ``person`` log in again (their old sessions stay ended: they log in afresh)."""
    person.is_active = True
    record_event(actor_id, "enable_user", subject=_subject(person))
    Session.flush()


def end_sessions_of(person: Person, actor_id: int | None = None) -> int:
    """End every session of ``person`` without disabling them; return how many ended."""
    ended = end_all_sessions(person.id)
    record_event(actor_id, "end_sessions", subject=_subject(person), sessions_ended=ended)
    return ended


def end_every_session(actor_id: int | None = None) -> int:
    """Log everybody out, staff and participants (the actor too); return how many ended."""
    ended = end_all_sessions()
    record_event(actor_id, "end_all_sessions", sessions_ended=ended)
    return ended
