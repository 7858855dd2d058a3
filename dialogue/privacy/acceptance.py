"""The notice before a participant's first contribution, whatever the way they signed in.

The login link's confirmation page shows the notice beside its button (``notice``). Other ways
in do not pass that page: the organisation's OpenID provider, or a login through one
dialogue's link by somebody who is a participant of another dialogue too. So a participant is
sent to the dialogue's notice before any of its pages, unless this login has shown it already,
and goes on with a button.

What the login has shown is kept in its signed session cookie and nowhere else: no row in the
database or the session store is written at the participant's own moment (TARGETS A11), and the
cookie goes with the login. ``notice`` says why nothing is stored per person.
"""

from __future__ import annotations

from flask import redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Membership, Role

#: Session key: slugs of the dialogues whose notice this login has shown.
SEEN = "notice_seen"
#: A bound on the cookie's list: a person in more dialogues sees an early notice again.
MAX_SEEN = 20
#: Pages that need no notice first: logging in and out, the public pages, the notice itself.
OPEN_BLUEPRINTS = {"auth", "public", "privacy"}


def mark_seen(slug: str) -> None:
    """Remember that this login showed the notice of dialogue ``slug`` and the person went on."""
    seen = [other for other in session.get(SEEN, []) if other != slug]
    session[SEEN] = [*seen, slug][-MAX_SEEN:]


def has_seen(slug: str) -> bool:
    """Whether this login has shown the notice of dialogue ``slug``."""
    return slug in session.get(SEEN, ())


def is_participant(slug: str) -> bool:
    """Whether the logged-in person takes part in dialogue ``slug`` (staff read no notice)."""
    return (
        Session.scalar(
            select(Membership.id)
            .join(Dialogue)
            .where(
                Dialogue.slug == slug,
                Membership.person_id == current_user.id,
                Membership.role == Role.PARTICIPANT,
            )
        )
        is not None
    )


def safe_next(slug: str, target: str | None) -> str:
    """Where to go on to: a page of the same dialogue, else its home page (no open redirect)."""
    prefix = f"/d/{slug}/"
    if target and target.startswith(prefix) and "\\" not in target and "//" not in target:
        return target
    return url_for("web.dialogue_home", slug=slug)


def require_notice():
    """Before any page of a dialogue: a participant who has not seen its notice sees it first.

    A GET comes back to its page afterwards; a POST (a form kept open since before the login)
    is not replayed: the participant sends it again once they have read the notice.
    """
    slug = (request.view_args or {}).get("slug")
    if not slug or request.blueprint in OPEN_BLUEPRINTS or has_seen(slug):
        return None
    if not current_user.is_authenticated or not is_participant(slug):
        return None
    query = request.query_string.decode("utf-8", "replace")
    here = request.path + (f"?{query}" if query else "")
    target = here if request.method == "GET" else None
    return redirect(url_for("privacy.go_on", slug=slug, next=target), 303)
