"""Time-based one-time codes, the second factor every staff member needs (TARGETS S7).

RFC 6238 with the usual authenticator-app settings (SHA-1, 6 digits, 30-second steps), by
``pyotp``. A code is accepted for the current step and one step either side, to allow for a
phone's clock being a little off; a step whose code was accepted once is never accepted again
(ASVS 6.5.1), so a code seen over someone's shoulder cannot be reused. Operations flush; the
caller commits.

Lockout (ASVS 6.3.1): whoever reaches the code step already knows the password, so wrong codes
are counted per person, not only rate-limited. After ``MAX_FAILURES`` wrong codes in a row every
code is refused, the right one too, until an administrator unlocks the second factor (the
accounts page or ``dialogue unlock-mfa``) or resets it. There is no unlock by time on purpose:
five codes per quarter of an hour would still let a password holder try some 500 codes a day,
and a lock means somebody else has the password, which an administrator should hear about.
Locking and unlocking are audit-logged.
"""

from __future__ import annotations

import datetime as dt
import hmac

import pyotp
import segno
from sqlalchemy import update

from dialogue.core.audit import record_event
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Person

ISSUER = "Dialogue"
#: Steps either side of now whose code is still accepted.
DRIFT_STEPS = 1
#: Wrong codes in a row after which the code step is locked.
MAX_FAILURES = 5


def new_secret() -> str:
    """A fresh random secret: 32 base32 characters, 160 bits as RFC 4226 recommends."""
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, email: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code_data_uri(secret: str, email: str) -> str:
    """The QR code of the provisioning address as an SVG ``data:`` URI (allowed by the CSP)."""
    return segno.make(provisioning_uri(secret, email), error="m").svg_data_uri(scale=5, border=4)


def well_formed(code: str, digits: int = 6) -> bool:
    """Whether ``code`` (spaces removed) could be a code at all: ``digits`` ASCII digits."""
    code = "".join(code.split())
    return len(code) == digits and code.isascii() and code.isdigit()


def matching_step(secret: str, code: str, after: int | None, now: dt.datetime) -> int | None:
    """The time step within the drift window whose code is ``code`` and is later than ``after``.

    ``None`` when the code is wrong, too old, too far ahead, or was used already.
    """
    code = "".join(code.split())
    totp = pyotp.TOTP(secret)
    if not well_formed(code, totp.digits):
        return None  # also keeps non-ASCII text away from compare_digest, which refuses it
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def is_locked(person: Person) -> bool:
    """Whether too many wrong codes in a row have locked the person's code step."""
    return (person.totp_failures or 0) >= MAX_FAILURES


def verify(person: Person, code: str) -> bool:
    """Check an enrolled person's code, and remember its step so it cannot be used again.

    A locked person's code is refused unchecked; a wrong six-digit code counts towards the lock.
    """
    if is_locked(person):
        return False
    step = matching_step(person.totp_secret, code, person.totp_last_counter, utcnow())
    if step is None:
        if well_formed(code):  # a typo of the wrong length guesses nothing: it does not count
            _count_failure(person)
        return False
    person.totp_last_counter = step
    person.totp_failures = 0
    Session.flush()
    return True


def _count_failure(person: Person) -> None:
    """Add one wrong code in the database itself, so that parallel tries all count."""
    Session.execute(
        update(Person)
        .where(Person.id == person.id)
        .values(totp_failures=Person.totp_failures + 1)
        .execution_options(synchronize_session=False)
    )
    Session.refresh(person, ["totp_failures"])
    if person.totp_failures == MAX_FAILURES:
        record_event(None, "mfa_locked", subject=f"person:{person.id}", failures=MAX_FAILURES)


def unlock(person: Person) -> None:
    """Forget the wrong codes: the person may try again with their app."""
    person.totp_failures = 0
    Session.flush()


def enrol(person: Person, secret: str, code: str) -> bool:
    """Make ``secret`` the person's second factor if ``code`` proves their app has it."""
    step = matching_step(secret, code, None, utcnow())
    if step is None:
        return False
    person.totp_secret = secret
    person.totp_last_counter = step
    record_event(person.id, "mfa_enrolled", subject=f"person:{person.id}")
    return True


def reset(person: Person) -> None:
    """Forget the person's second factor: they enrol again at their next login."""
    person.totp_secret = None
    person.totp_last_counter = None
    person.totp_failures = 0
    Session.flush()
