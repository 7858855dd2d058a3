"""Passwords and login links. Operations flush; the caller commits."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from dialogue.auth.password_policy import check_password_policy
from dialogue.clock import utcnow
from dialogue.db import Session
from dialogue.models import Membership, Person

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


def issue_login_link(membership: Membership, lifetime: dt.timedelta) -> str:
    """A fresh token for ``membership``; the previous link stops working."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    membership.token_hash = token_hash(token)
    membership.token_expires_at = utcnow() + lifetime
    Session.flush()
    return token


def find_link(token: str) -> Membership:
    """The membership a still-valid token belongs to, without using it up."""
    membership = Session.scalar(
        select(Membership).where(Membership.token_hash == token_hash(token))
    )
    if membership is None or not membership.person.is_active:
        raise LinkError("unknown")
    if membership.token_expires_at is None or membership.token_expires_at <= utcnow():
        raise LinkError("expired")
    return membership


def redeem_login_link(token: str) -> Membership:
    """Use a link up: it logs in once, and a second use fails as "unknown"."""
    membership = find_link(token)
    membership.token_hash = None
    membership.token_expires_at = None
    Session.flush()
    return membership
