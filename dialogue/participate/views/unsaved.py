"""Keep what a participant typed when their session ended before they pressed "save".

A participant may write for a long time. If the session has timed out meanwhile (30 idle
minutes), the POST arrives without a login, and the text would be lost. Instead it is kept in a
signed cookie of the participant's own browser, scoped to the dialogue's pages, for a few
hours, and filled into the round's form once they have logged in again with a new link.

Nothing is stored on the server, and nothing ties the text to an identity there: the cookie is
bound to the logged-out person only by a keyed hash of their id (the person id in the expired
session), so that somebody else logging in on the same browser never sees it. The cookie is
signed, not encrypted – it holds the participant's own words, in their own browser – and is
capped in size, because browsers keep no cookie larger than about 4 KB.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from functools import wraps

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

#: Cookie name; the path limits it to the dialogue's participant pages.
COOKIE = "dialogue_unsaved"
#: How long kept text waits for its writer to log in again (seconds).
MAX_AGE = 12 * 3600
#: Largest cookie value kept; browsers drop cookies above about 4 KB (name and flags included).
MAX_COOKIE_BYTES = 3800
#: Form fields that are never kept: the CSRF token belongs to the old session.
SKIPPED_FIELDS = frozenset({"csrf_token", "submit"})


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="unsaved-input")


def owner_tag(person_id: object, slug: str, round_id: int) -> str:
    """A keyed hash binding kept text to one person and round, without naming the person."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"unsaved:{slug}:{round_id}:{person_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def cookie_path(slug: str) -> str:
    """The dialogue's participant pages, where the text is needed again."""
    return f"/d/{slug}/"


def pack(
    pairs: Iterable[tuple[str, str]], *, slug: str, round_id: int, person_id: object
) -> tuple[str, bool] | None:
    """The cookie value for the form's ``pairs``, and whether text had to be shortened.

    Longer texts are shortened from the end, the longest first, until the value fits; None
    when there is nothing worth keeping.
    """
    fields = [[name, value] for name, value in pairs if name not in SKIPPED_FIELDS and value]
    if not any(value.strip() for name, value in fields if name != "nonce"):
        return None
    payload = {"o": owner_tag(person_id, slug, round_id), "r": round_id, "f": fields}
    serializer = _serializer()
    value = serializer.dumps(payload)
    shortened = False
    while len(value) > MAX_COOKIE_BYTES:
        longest = max(fields, key=lambda field: len(field[1]))
        if len(longest[1]) <= 20:
            return None
        longest[1] = longest[1][: int(len(longest[1]) * 0.8)]
        shortened = True
        value = serializer.dumps(payload)
    return value, shortened


def unpack(value: str | None, *, slug: str, round_id: int, person_id: object):
    """The kept ``(name, value)`` pairs for this person and round, or None.

    A cookie that is forged, too old, for another round or written for somebody else gives
    None, exactly like no cookie at all.
    """
    if not value:
        return None
    try:
        payload = _serializer().loads(value, max_age=MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or payload.get("r") != round_id:
        return None
    if not hmac.compare_digest(str(payload.get("o")), owner_tag(person_id, slug, round_id)):
        return None
    fields = payload.get("f")
    if not isinstance(fields, list):
        return None
    return [
        (str(pair[0]), str(pair[1])) for pair in fields if isinstance(pair, list) and len(pair) == 2
    ]


def kept_round(value: str | None, *, slug: str, person_id: object) -> int | None:
    """The round this person has kept text for, if any (for a hint on the dialogue's page)."""
    if not value:
        return None
    try:
        round_id = _serializer().loads(value, max_age=MAX_AGE).get("r")
    except (BadSignature, ValueError, TypeError, AttributeError):
        return None
    if not isinstance(round_id, int):
        return None
    found = unpack(value, slug=slug, round_id=round_id, person_id=person_id)
    return round_id if found else None


def keep(response, value: str, slug: str) -> None:
    """Set the cookie on ``response`` with the app's cookie flags."""
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE,
        path=cookie_path(slug),
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )


def forget(response, slug: str) -> None:
    """Remove the cookie once its text is back in the form."""
    response.delete_cookie(
        COOKIE,
        path=cookie_path(slug),
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )


def keep_unsaved_input(view):
    """Like ``login_required``, but a POST from an ended session keeps what was typed.

    The text goes into a signed cookie of the participant's own browser (``pack``) and comes
    back in the round's form after they log in again with a new link; nothing is stored on the
    server.
    """

    @wraps(view)
    def wrapper(slug: str, round_id: int, **kwargs):
        if current_user.is_authenticated:
            return view(slug, round_id, **kwargs)
        return input_kept_for_later(slug, round_id)

    return wrapper


def input_kept_for_later(slug: str, round_id: int):
    """Send a logged-out participant to get a new link, keeping their input if we can.

    Kept only when the ended session still names its person, so that the text can be given
    back to that person alone.
    """
    response = redirect(url_for("auth.request_link"), 303)
    person_id = session.get("_user_id")
    packed = None
    if person_id:
        packed = pack(
            request.form.items(multi=True), slug=slug, round_id=round_id, person_id=person_id
        )
    if packed is None:
        flash(_("Your session has ended. Please log in again with a new link."), "info")
        return response
    value, shortened = packed
    keep(response, value, slug)
    if shortened:
        flash(
            _(
                "Your session has ended, so your input is not saved yet. This browser keeps "
                "the beginning of it (it was too long to keep whole): ask for a new link below, "
                "log in and open the round again."
            ),
            "info",
        )
    else:
        flash(
            _(
                "Your session has ended, so your input is not saved yet. This browser keeps "
                "it for you: ask for a new link below, log in and open the round again."
            ),
            "info",
        )
    return response
