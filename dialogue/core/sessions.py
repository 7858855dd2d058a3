"""Logins that can be ended: a server-side record behind every session cookie.

Participants are logged out after 30 idle minutes or 12 hours, staff after 15 minutes or 8
hours (OWASP ASVS 7.3). Idle time is tracked in the signed cookie, so ordinary requests write
nothing to the database.

The record lives in ``dialogue.core.session_store``, never in the database that is backed up: a
login is a participant's own moment, and a row naming them written at that moment would sit,
in write order, beside the text they write next (TARGETS A11).

Staff log in in two steps (TARGETS S7): the password or link starts a session whose record is
marked ``second_factor_pending``; the TOTP code replaces it with a new session under a new
token, so a cookie seen before the second factor never becomes a full login.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from flask import current_app, g, session
from flask_login import login_user, logout_user

from dialogue.core.audit import record_event
from dialogue.core.clock import utcnow
from dialogue.core.db import Session, read_apart
from dialogue.core.models import Person
from dialogue.core.session_store import store

#: The store's kind for login sessions.
KIND = "session"

IDLE_TIMEOUT = {False: dt.timedelta(minutes=30), True: dt.timedelta(minutes=15)}
ABSOLUTE_TIMEOUT = {False: dt.timedelta(hours=12), True: dt.timedelta(hours=8)}
#: Refresh the idle clock in the cookie at most this often.
SEEN_RESOLUTION = 60


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _owner(person: Person) -> str:
    """Binds a record to this person, not merely to an id a later person might be given."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"session:{person.id}:{person.email}".encode(), "sha256").hexdigest()


def _floor_hour(moment: dt.datetime) -> dt.datetime:
    """Round down: the session may end a little early, never later than promised."""
    return moment.replace(minute=0, second=0, microsecond=0)


def _begin(person: Person, is_staff: bool, pending: bool, expires_at: dt.datetime) -> None:
    """Store a new session record and put its fresh token in a cleared cookie."""
    token = secrets.token_urlsafe(32)
    store().put(
        KIND,
        _hash(token),
        {
            "person_id": person.id,
            "owner": _owner(person),
            "is_staff": is_staff,
            "pending": pending,
            "expires_at": expires_at.timestamp(),
        },
        expires_at.timestamp(),
        person_id=person.id,
    )
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    session["sid"] = token
    session["seen"] = int(utcnow().timestamp())
    g.second_factor_pending = pending
    login_user(person)


def start_session(person: Person) -> None:
    """Log ``person`` in with a fresh session token (a new id at every login).

    Staff are only half logged in until they give their TOTP code (``complete_second_factor``).
    """
    is_staff = any(m.role.is_staff for m in person.memberships)
    expires_at = _floor_hour(utcnow() + ABSOLUTE_TIMEOUT[is_staff])
    _begin(person, is_staff, pending=is_staff, expires_at=expires_at)


def second_factor_pending() -> bool:
    """Whether the current request comes from a staff login still waiting for its TOTP code."""
    return bool(g.get("second_factor_pending"))


def complete_second_factor(person: Person) -> None:
    """Replace the half-finished staff session by a full one under a new token (ASVS 7.2.4)."""
    key = _hash(session["sid"])
    record = store().get(KIND, key)
    store().delete(KIND, key)
    if record is None:  # ended since this request began (disabled, logged out): no login
        end_session()
        return
    expires_at = dt.datetime.fromtimestamp(record["expires_at"], dt.UTC)
    _begin(person, is_staff=True, pending=False, expires_at=expires_at)
    record_event(person.id, "login")


def end_session() -> None:
    """Log out: forget the server-side record, so a replayed cookie no longer works."""
    token = session.get("sid")
    if token:
        store().delete(KIND, _hash(token))
    logout_user()
    session.pop("sid", None)
    session.pop("seen", None)


def end_all_sessions(person_id: int | None = None) -> int:
    """End every session of one person (when disabled), or of everyone; return how many."""
    return store().delete_kind(KIND, person_id)


def load_session_person(person_id: str) -> Person | None:
    """The person behind the cookie, if its session still exists and has not timed out."""
    token = session.get("sid")
    if not token:
        return None
    record = store().get(KIND, _hash(token))
    now = utcnow()
    if (
        record is None
        or str(record["person_id"]) != person_id
        or record["expires_at"] <= now.timestamp()
    ):
        return None
    seen = dt.datetime.fromtimestamp(session.get("seen", 0), dt.UTC)
    if now - seen > IDLE_TIMEOUT[record["is_staff"]]:
        return None
    if (now - seen).total_seconds() >= SEEN_RESOLUTION:
        session["seen"] = int(now.timestamp())
    person = read_apart(lambda: Session.get(Person, record["person_id"]))
    if person is None or not person.is_active or record.get("owner") != _owner(person):
        return None
    g.second_factor_pending = record["pending"]
    return person
