"""Remembering that a login showed a dialogue's notice before its first page.

The login link's confirmation page shows the notice beside its button (``queries``). Other ways
in do not pass that page: the organisation's OpenID provider, or a login through one
dialogue's link by somebody who is a participant of another dialogue too. So a participant is
sent to the dialogue's notice before any of its pages, unless this login has shown it already,
and goes on with a button.

What the login has shown is kept in its signed session cookie and nowhere else: no row in the
database or the session store is written at the participant's own moment (TARGETS A11), and the
cookie goes with the login. ``dialogue.privacy.queries`` says why nothing is stored per person.
``views.require_notice`` sends a participant to the notice until this login has shown it.
"""

from __future__ import annotations

from flask import session

#: Session key: slugs of the dialogues whose notice this login has shown.
SEEN = "notice_seen"
#: A bound on the cookie's list: a person in more dialogues sees an early notice again.
MAX_SEEN = 20


def mark_seen(slug: str) -> None:
    """Remember that this login showed the notice of dialogue ``slug`` and the person went on."""
    seen = [other for other in session.get(SEEN, []) if other != slug]
    session[SEEN] = [*seen, slug][-MAX_SEEN:]
