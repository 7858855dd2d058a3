"""Passwords and login links. Operations flush; the caller commits.

Using a link, or asking for a new one, is a participant's own moment: nothing is then written
to the backed-up database (TARGETS A11). A used link is recorded in ``dialogue.core.session_store``
under a keyed hash of its token, which cannot be joined to the hash the membership keeps; a
link the participant asked for lives there too, until it expires. Only invitations and
reminders, sent by staff to everyone at once, write the memberships.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from dialogue.auth.password_policy import check_password_policy
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Membership, Person
from dialogue.core.session_store import store

#: argon2id with the library's defaults, which meet OWASP's minimum.
password_hasher = PasswordHasher()

#: 32 bytes = 256 bits of randomness per link.
TOKEN_BYTES = 32


class LinkError(Exception):
    """A login link that cannot be used; ``reason`` is "unknown" or "expired"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``; ``WeakPassword`` if the policy refuses it.

    Every staff password is set through here (demo, ``dialogue set-password``, the test
    factories), so none escapes the policy.
    """
    check_password_policy(password)
    return password_hasher.hash(password)


def check_password(person: Person | None, password: str) -> bool:
    """Whether ``password`` is this person's; a missing person costs as much time as a wrong one."""
    if person is None or not person.password_hash:
        password_hasher.hash(password)
        return False
    try:
        return password_hasher.verify(person.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def find_staff(email: str) -> Person | None:
    """The active person with this e-mail address, if any."""
    person = Session.scalar(select(Person).where(Person.email == email.strip().lower()))
    return person if person is not None and person.is_active else None


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def _store_key(purpose: str, token: str) -> str:
    """A keyed hash of ``token``: unlike ``token_hash`` it cannot be computed from the database."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{token}".encode(), hashlib.sha256).hexdigest()


def issue_login_link(membership: Membership, lifetime: dt.timedelta) -> str:
    """A fresh token for ``membership``, kept on it; the previous link stops working.

    For links staff send to everyone at once (invitations, reminders).
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    membership.token_hash = token_hash(token)
    membership.token_expires_at = utcnow() + lifetime
    Session.flush()
    return token


def issue_requested_link(membership: Membership, lifetime: dt.timedelta) -> tuple[str, dt.datetime]:
    """A fresh token a participant asked for, kept in the session store, not on the membership.

    Returns the token and when it expires. The invitation link keeps working beside it.
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = utcnow() + lifetime
    store().put(
        "link",
        _store_key("link", token),
        {"membership_id": membership.id, "expires_at": expires_at.timestamp()},
        expires_at.timestamp(),
    )
    return token, expires_at


def _link_target(token: str) -> tuple[Membership | None, dt.datetime | None]:
    """The membership a token was issued for and when it expires, wherever it is kept."""
    membership = Session.scalar(
        select(Membership)
        .options(joinedload(Membership.person), joinedload(Membership.dialogue))
        .where(Membership.token_hash == token_hash(token))
    )
    if membership is not None:
        return membership, membership.token_expires_at
    requested = store().get("link", _store_key("link", token))
    if requested is None:
        return None, None
    expires_at = dt.datetime.fromtimestamp(requested["expires_at"], dt.UTC)
    return Session.get(Membership, requested["membership_id"]), expires_at


def _valid_link(token: str) -> tuple[Membership, dt.datetime]:
    """The membership of a still-valid, unused token, and when the token expires."""
    membership, expires_at = _link_target(token)
    if membership is None or not membership.person.is_active:
        raise LinkError("unknown")
    if store().get("used", _store_key("used", token)) is not None:
        raise LinkError("unknown")
    if expires_at is None or expires_at <= utcnow():
        raise LinkError("expired")
    return membership, expires_at


def find_link(token: str) -> Membership:
    """The membership a still-valid, unused token belongs to, without using it up."""
    return _valid_link(token)[0]


def redeem_login_link(token: str) -> Membership:
    """Use a link up: it logs in once, and a second use fails as "unknown".

    The membership is not touched (an UPDATE would put it in write order beside the texts of
    this visit); the used token is recorded in the session store until the link expires.
    """
    membership, expires_at = _valid_link(token)
    if not store().claim("used", _store_key("used", token), expires_at.timestamp()):
        raise LinkError("unknown")
    return membership
