"""Danish and English: which language a response speaks, and the helpers templates use."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, g, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from dialogue.core.extensions import babel
from dialogue.core.models import Role, RoundState

ROLE_LABELS = {
    Role.PARTICIPANT: _l("participant"),
    Role.CONSULTANT: _l("consultant"),
    Role.MANAGEMENT: _l("management"),
    Role.ADMIN: _l("administrator"),
}

STATE_LABELS = {
    RoundState.UPCOMING: _l("Upcoming"),
    RoundState.OPEN: _l("Open"),
    RoundState.CLOSED: _l("Closed"),
}


def select_locale() -> str:
    """A language in a public page's path, the visitor's choice, the dialogue's, the browser's.

    A public page's path may name its language (``/p/<slug>/en/``), so that the page can be
    switched with a plain link and cached without a cookie; that choice wins for that page.

    Outside a request (a command, a job in a thread or an RQ worker, a mail sent from a job)
    there is no visitor: the dialogue's language if the code named one, else the default. Such
    code should say its language with ``flask_babel.force_locale``; this only keeps a forgotten
    place from crashing.
    """
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        dialogue_language = g.get("dialogue_language")
        if dialogue_language in languages:
            return dialogue_language
        return current_app.config["DIALOGUE_DEFAULT_LANGUAGE"]
    in_path = getattr(g, "path_language", None)
    if in_path in languages:
        return in_path
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    dialogue_language = getattr(g, "dialogue_language", None)
    if dialogue_language in languages:
        return dialogue_language
    return (
        request.accept_languages.best_match(languages)
        or current_app.config["DIALOGUE_DEFAULT_LANGUAGE"]
    )


def page_language() -> str:
    """The language of the page being built ("da" or "en"), for texts stored in both."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def local_datetime(value: dt.datetime, timezone: str, format: str = "long") -> str:
    """Show a stored UTC instant in the dialogue's time zone and the visitor's language.

    ``short`` is the compact form for tables (07.12.2026 08.00). Every other format reads as
    people write a date, "7. december 2026 kl. 08.00": Babel's longer forms add seconds and
    the zone's name ("Centraleuropæisk normaltid"), which nobody needs to meet a deadline.
    """
    local = value.astimezone(ZoneInfo(timezone))
    if format == "short":
        return format_datetime(local, "short", rebase=False)
    return _(
        "%(date)s at %(time)s",
        date=format_date(local.date(), "long"),
        time=format_time(local.time(), "short", rebase=False),
    )


def init_app(app) -> None:
    """Register Flask-Babel and the template helpers."""
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.globals.update(
        current_locale=lambda: str(get_locale() or app.config["DIALOGUE_DEFAULT_LANGUAGE"]),
        role_label=ROLE_LABELS.get,
        state_label=STATE_LABELS.get,
    )
