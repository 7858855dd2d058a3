"""Friendly error pages in the visitor's language, with the right status code.

Nothing from the request (text, identities) is echoed or logged here.
"""

from __future__ import annotations

import traceback

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from dialogue.core.db import release_session


class UserError(Exception):
    """A refusal whose ``message`` is meant for the user (translated lazily, ready to show).

    The domain's errors (``rounds.errors``) and a job's refusal derive from it, so a job runner
    or a page shows their message without knowing where they come from.
    """

    status = 422

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The form could not be read. Please go back and try again.")),
        403: (_("Not allowed"), _("You do not have access to this page.")),
        404: (_("Page not found"), _("The page does not exist, or you do not have access to it.")),
        405: (_("Not allowed"), _("This page cannot be used that way.")),
        409: (_("Not possible now"), _("This cannot be done at this time.")),
        410: (_("No longer available"), _("This link or page is no longer available.")),
        413: (_("Too large"), _("What you sent is too large. Please shorten it and try again.")),
        422: (_("Please check your input"), _("Some of what you entered could not be used.")),
        429: (_("Too many attempts"), _("Please wait a minute and try again.")),
        500: (
            _("Something went wrong"),
            _("We could not complete your request. Nothing was lost; please try again later."),
        ),
        503: (
            _("Temporarily unavailable"),
            _("The service is busy or being maintained. Please try again in a moment."),
        ),
    }


def render_error(code: int, message: str | None = None):
    """The error page for ``code``, optionally with a more specific message."""
    title, default = _messages().get(code, _messages()[500])
    return render_template(
        "errors/error.html", code=code, title=title, message=message or default
    ), code


def handle_http_exception(exc: HTTPException):
    """Every HTTP error gets the same friendly page."""
    return render_error(exc.code or 500)


def handle_csrf_error(_exc: CSRFError):
    """A missing or stale CSRF token: say so plainly."""
    return render_error(
        400, _("The form had expired or was incomplete. Please reload the page and try again.")
    )


def handle_unexpected(exc: Exception):
    """Anything unforeseen: roll back, log without request data, and show a generic page."""
    release_session(current_app)
    if isinstance(exc, OperationalError):
        current_app.logger.error("database unavailable")
        return render_error(503)
    # Where, not what: an error's message (or a source line) can quote submitted text.
    frames = "\n".join(
        f"  {frame.filename}:{frame.lineno} in {frame.name}"
        for frame in traceback.extract_tb(exc.__traceback__)
    )
    current_app.logger.error("unhandled %s\n%s", type(exc).__name__, frames)
    return render_error(InternalServerError.code)


def init_app(app) -> None:
    """Register the handlers; an unreachable database is a 503, not a 500."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
