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
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from dialogue.auth.services.password_policy import check_password_policy
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.mail import OutgoingMail
from dialogue.core.models import Dialogue, KeptLink, Membership, Person, Role
from dialogue.core.session_store import store
from dialogue.core.urls import external_url

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
    """A fresh token for ``membership``, kept on it in place of the previous one.

    For links staff send to everyone at once (invitations, reminders). The previous link stops
    working unless the sender first kept it (``dialogue.admin.services.sends.keep_earlier_links``).
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
    kept = Session.scalar(select(KeptLink).where(KeptLink.token_hash == token_hash(token)))
    if kept is not None:
        return Session.get(Membership, kept.membership_id), kept.expires_at
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


# --- links by mail ------------------------------------------------------------------------------

MIN_LINK_LIFETIME = dt.timedelta(days=7)


def link_lifetime(dialogue: Dialogue) -> dt.timedelta:
    """Until the last round closes, and at least ``MIN_LINK_LIFETIME``."""
    closes = max((round_.closes_at for round_ in dialogue.rounds), default=None)
    remaining = closes - utcnow() if closes is not None else dt.timedelta(0)
    return max(remaining, MIN_LINK_LIFETIME)


def link_mail(membership: Membership, kind: str, lifetime: dt.timedelta, **context):
    """A mail of ``kind`` (invitation, reminder, new_link) in the dialogue's language.

    It carries a fresh link. Invitations and reminders replace the link kept on the membership;
    a new link the participant asked for is kept apart (``issue_requested_link``), so that their
    request writes nothing to the database.
    """
    dialogue = membership.dialogue
    if kind == "new_link":
        token, expires_at = issue_requested_link(membership, lifetime)
    else:
        token = issue_login_link(membership, lifetime)
        expires_at = membership.token_expires_at
    subject, body = mail_text(
        dialogue,
        kind,
        name=membership.person.name,
        link=external_url("auth.link", token=token),
        expires_at=expires_at,
        **context,
    )
    return OutgoingMail(membership.person.email, subject, body)


def mail_text(dialogue: Dialogue, kind: str, *, name, link: str, expires_at, **context):
    """The subject and body of a mail of ``kind`` in the dialogue's language.

    Apart from :func:`link_mail` so that the admin can preview a mail before sending it.
    """
    with force_locale(dialogue.language):
        subjects = {
            "invitation": _("Invitation: %(title)s", title=dialogue.title),
            "reminder": _("Reminder: %(title)s", title=dialogue.title),
            "new_link": _("Your new link: %(title)s", title=dialogue.title),
        }
        body = render_template(
            f"mail/{kind}.txt",
            dialogue=dialogue,
            name=name,
            link=link,
            expires_at=expires_at,
            request_link_url=external_url("auth.request_link"),
            **context,
        )
    return subjects[kind], body


def prepare_new_links(email: str) -> list[OutgoingMail]:
    """A fresh link for each dialogue the address takes part in, or nothing for an unknown one.

    Not audited: it is a participant's own action, and recording it would tie them to a time.
    """
    person = Session.scalar(select(Person).where(Person.email == email.strip().lower()))
    if person is None or not person.is_active:
        return []
    return [
        link_mail(membership, "new_link", link_lifetime(membership.dialogue))
        for membership in person.memberships
        if membership.role is Role.PARTICIPANT
    ]
