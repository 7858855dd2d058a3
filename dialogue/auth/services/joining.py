"""Open dialogues: anyone with the join link becomes a participant, if the dialogue's rule admits.

A person proves who they are through the provider (their ID token) or by the link mailed to
their address, and asks to join. New memberships are not written at that moment: a row naming
them, written in the same minutes as their first text, would pair them with it in write order
(SQLite's rowid, PostgreSQL's ``xmin`` and physical order; TARGETS A11). The request waits in
the session store, which is never backed up, until as many people as the dialogue's minimum
group size are waiting; then all of them are admitted in one transaction, in a random order.
A copy of the database shows which cohort someone joined in, never their place in it, and every
cohort is at least as large as the smallest group a report may show.

Open members have no department or role group: breakdowns count them in the group "not given",
which is suppressed like any other group smaller than the minimum.

Abuse limits without a CAPTCHA: the views limit requests per address, per client and per link;
here a dialogue accepts at most ``OPEN_JOINS_PER_HOUR`` requests to join in an hour.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItemPerHour
from sqlalchemy import func, select

from dialogue.auth.services.logins import link_lifetime, link_mail
from dialogue.core.audit import record_event
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.errors import UserError
from dialogue.core.extensions import limiter
from dialogue.core.mail import OutgoingMail
from dialogue.core.models import Dialogue, Membership, Person, Role
from dialogue.core.rate_limits import keyed_hash
from dialogue.core.session_store import store

#: The session store's kind for requests to join, indexed by the dialogue's id.
KIND = "join"
#: The kind that makes sure one request is admitted once, when two admissions race.
ADMITTED_KIND = "join-admitted"
#: How long a request to join waits for enough others before it is forgotten.
WAITING = dt.timedelta(days=30)
#: How long the link mailed to confirm an address stays valid.
CONFIRM_LIFETIME = dt.timedelta(days=2)

_DOMAIN = re.compile(r"@?([a-z0-9-]+(\.[a-z0-9-]+)+)")
_CLAIM = re.compile(r"([A-Za-z0-9_:/.-]{1,64})=(\S{1,120})")


class JoinRefused(UserError):
    """Nobody can join this way now; ``reason`` names why ("busy", "rule")."""

    def __init__(self, reason: str, message):
        super().__init__(message)
        self.reason = reason


def parse_rule(rule: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The rule's e-mail domains and (claim, value) terms; ``ValueError`` on any other term."""
    domains, claims = [], []
    for term in re.split(r"[\s,]+", rule.strip()):
        if not term:
            continue
        if claim := _CLAIM.fullmatch(term):
            claims.append((claim[1], claim[2]))
        elif domain := _DOMAIN.fullmatch(term.lower()):
            domains.append(domain[1])
        else:
            raise ValueError(term)
    return domains, claims


def admits(dialogue: Dialogue, email: str, claims: dict | None = None) -> bool:
    """Whether the dialogue's rule lets ``email`` (with the provider's ``claims``) join.

    Any one term admits. A claim term needs the provider's claims: an address proved only by
    mail meets none, so a dialogue open to a group is joined through the provider.
    """
    domains, claim_terms = parse_rule(dialogue.open_rule)
    if not domains and not claim_terms:
        return True
    if email.rpartition("@")[2].lower() in domains:
        return True
    for name, value in claim_terms:
        held = (claims or {}).get(name)
        held = held if isinstance(held, list) else [held]
        if value in (str(item) for item in held if item is not None):
            return True
    return False


def open_dialogue(slug: str) -> Dialogue | None:
    """The dialogue anyone may ask to join, by its slug (None if it is not open)."""
    return Session.scalar(
        select(Dialogue).where(
            Dialogue.slug == slug, Dialogue.open_join.is_(True), Dialogue.purged_on.is_(None)
        )
    )


def membership(dialogue: Dialogue, email: str) -> Membership | None:
    """The membership of ``email`` in ``dialogue`` in any role (staff too), if it has one."""
    return Session.scalar(
        select(Membership)
        .join(Person, Membership.person_id == Person.id)
        .where(
            func.lower(Person.email) == email.strip().lower(),
            Membership.dialogue_id == dialogue.id,
        )
    )


def set_open(dialogue: Dialogue, actor_id: int | None, *, open_join: bool, rule: str) -> None:
    """Open the dialogue to anyone its rule admits, or close it; audited as a staff action."""
    try:
        parse_rule(rule)
    except ValueError as exc:
        raise UserError(
            _l(
                "“%(term)s” is neither an e-mail domain (like @example.org) nor a claim=value"
                " term (like groups=staff).",
                term=str(exc),
            ),
            field="open_rule",
        ) from exc
    dialogue.open_join = open_join
    dialogue.open_rule = " ".join(rule.split())
    Session.flush()
    record_event(
        actor_id,
        "dialogue.open_join",
        dialogue,
        subject=f"dialogue:{dialogue.id}",
        open=open_join,
        rule=dialogue.open_rule,
    )


# --- the link that proves an address --------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="dialogue open join")


def confirm_token(dialogue: Dialogue, email: str) -> str:
    """A signed, expiring token saying that whoever opens it reads mail at ``email``."""
    return _serializer().dumps({"dialogue": dialogue.id, "email": email.strip().lower()})


def confirmed_email(dialogue: Dialogue, token: str) -> str | None:
    """The address a still-valid ``token`` for this dialogue was mailed to, else None."""
    try:
        data = _serializer().loads(token, max_age=int(CONFIRM_LIFETIME.total_seconds()))
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("dialogue") != dialogue.id:
        return None
    email = data.get("email")
    return email if isinstance(email, str) else None


# --- waiting and admission -----------------------------------------------------------------------


def _request_key(dialogue: Dialogue, email: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"join:{dialogue.id}:{email}".encode(), hashlib.sha256).hexdigest()


def _count_towards_the_cap(dialogue: Dialogue) -> None:
    """One more request to join this hour; ``JoinRefused`` once the dialogue's cap is reached."""
    if not limiter.enabled:
        return
    cap = RateLimitItemPerHour(current_app.config["OPEN_JOINS_PER_HOUR"])
    if not limiter.limiter.hit(cap, keyed_hash(f"open-join:{dialogue.id}")):
        raise JoinRefused(
            "busy",
            _l(
                "Many people have asked to join this dialogue in the last hour. Try again in"
                " an hour."
            ),
        )


def ask_to_join(dialogue: Dialogue, email: str, name: str = "") -> list[Membership]:
    """Put ``email`` on the dialogue's waiting list; admit the list once it is large enough.

    The caller has checked the rule and that the address is not a participant already.
    Returns the memberships admitted by this call (none while the list is still short).
    """
    email = email.strip().lower()
    key = _request_key(dialogue, email)
    if store().get(KIND, key) is None:
        _count_towards_the_cap(dialogue)
        expires_at = (utcnow() + WAITING).timestamp()
        record = {"email": email, "name": name.strip()[:200]}
        store().put(KIND, key, record, expires_at, person_id=dialogue.id)
    if waiting_count(dialogue) < dialogue.min_group_size:
        return []
    return admit_waiting(dialogue)


def waiting_count(dialogue: Dialogue) -> int:
    """How many people wait to be admitted (a count only: the list itself is never shown)."""
    return store().count(KIND, dialogue.id)


def admit_waiting(dialogue: Dialogue) -> list[Membership]:
    """Create a participant membership for everyone waiting, in a random order; flush.

    A person who exists already (in another dialogue) keeps their row and gains a membership;
    a disabled one is not admitted. Each request is claimed first, so that two admissions
    running at once create each membership once.
    """
    waiting = store().records(KIND, dialogue.id)
    random.SystemRandom().shuffle(waiting)
    admitted = []
    claim_until = (utcnow() + dt.timedelta(hours=1)).timestamp()
    for key, record in waiting:
        if not store().claim(ADMITTED_KIND, key, claim_until):
            continue
        store().delete(KIND, key)
        if membership(dialogue, record["email"]) is not None:
            continue
        person = Session.scalar(select(Person).where(Person.email == record["email"]))
        if person is None:
            person = Person(email=record["email"], name=record["name"] or record["email"])
        elif not person.is_active:
            continue
        joined = Membership(person=person, dialogue=dialogue, role=Role.PARTICIPANT)
        Session.add(joined)
        admitted.append(joined)
    Session.flush()
    return admitted


def invitations(admitted: list[Membership]) -> list[OutgoingMail]:
    """An invitation with a personal link for each person just admitted; flush.

    The links are written in the admission's own transaction, so that they too share its
    moment and its random order. The caller commits, then sends.
    """
    return [link_mail(joined, "invitation", link_lifetime(joined.dialogue)) for joined in admitted]
