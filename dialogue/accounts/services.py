"""Disabling and enabling accounts, ending logins in bulk, second factors and passwords.

TARGETS S5 and S7, ASVS 7.4 and 6.

Disabling a person does two things in one transaction: ``is_active`` becomes false (no new
login by password or link is accepted, see ``dialogue.auth.services.logins``) and every server-side
session of theirs is deleted, so a browser that is logged in right now is logged out on its
very next request. An administrator can also end every session at once, for example after a
suspected leak of session cookies or of ``SECRET_KEY``. Resetting a staff member's second
factor (a lost phone) also ends their sessions: they log in again and enrol a new app.
Unlocking it (after too many wrong codes, see ``dialogue.auth.services.totp``) keeps their app.

An account is one per person, shared by every dialogue they belong to, so its name and these
operations reach all of them. An admin may therefore change only the accounts of people whose
every dialogue they administer (``queries.beyond_reach``); anybody else's account is left to the
operator (the commands) or to an admin of all their dialogues. Refusing, rather than scoping a
lock to one dialogue, is what a municipality would expect: one organisation's admin must not
lock a consultant or an employee out of another organisation's dialogue, nor rename them there.

Each operation adds an audit event with the acting staff member (``None`` when run from the
command line) and counts only; the subject of a disable/enable is the person's internal id,
never their e-mail address. The caller commits.
"""

from __future__ import annotations

from dialogue.auth.services import totp
from dialogue.auth.services.logins import hash_password
from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Person
from dialogue.core.sessions import end_all_sessions


class NotStaff(ValueError):
    """Only staff log in with a password; participants use their links."""


def _subject(person: Person) -> str:
    return f"person:{person.id}"


def disable_person(
    person: Person, actor_id: int | None = None, dialogue: Dialogue | None = None
) -> int:
    """Disable ``person`` and end all their sessions; return how many sessions ended."""
    person.is_active = False
    ended = end_all_sessions(person.id)
    record_event(actor_id, "disable_user", dialogue, subject=_subject(person), sessions_ended=ended)
    Session.flush()
    return ended


def enable_person(
    person: Person, actor_id: int | None = None, dialogue: Dialogue | None = None
) -> None:
    """Let ``person`` log in again (their old sessions stay ended: they log in afresh)."""
    person.is_active = True
    record_event(actor_id, "enable_user", dialogue, subject=_subject(person))
    Session.flush()


def end_sessions_of(
    person: Person, actor_id: int | None = None, dialogue: Dialogue | None = None
) -> int:
    """End every session of ``person`` without disabling them; return how many ended."""
    ended = end_all_sessions(person.id)
    record_event(actor_id, "end_sessions", dialogue, subject=_subject(person), sessions_ended=ended)
    return ended


def reset_second_factor(
    person: Person, actor_id: int | None = None, dialogue: Dialogue | None = None
) -> int:
    """Forget ``person``'s TOTP key and end their sessions; they enrol again at next login."""
    totp.reset(person)
    ended = end_all_sessions(person.id)
    record_event(actor_id, "reset_mfa", dialogue, subject=_subject(person), sessions_ended=ended)
    return ended


def unlock_second_factor(
    person: Person, actor_id: int | None = None, dialogue: Dialogue | None = None
) -> None:
    """Let ``person`` enter codes again after too many wrong ones; their app stays the same."""
    totp.unlock(person)
    record_event(actor_id, "unlock_mfa", dialogue, subject=_subject(person))


def is_staff(person: Person) -> bool:
    """Whether ``person`` holds a staff role in any dialogue."""
    return any(membership.role.is_staff for membership in person.memberships)


def set_password(person: Person, password: str, actor_id: int | None = None) -> None:
    """Give a staff member a new password (``WeakPassword`` if the policy refuses it)."""
    if not is_staff(person):
        raise NotStaff(person.email)
    person.password_hash = hash_password(password)
    record_event(actor_id, "set_password", subject=_subject(person))


def end_every_session(actor_id: int | None = None) -> int:
    """Log everybody out, staff and participants (the actor too); return how many ended."""
    ended = end_all_sessions()
    record_event(actor_id, "end_all_sessions", sessions_ended=ended)
    return ended
