"""CSRF, rate limits, the security headers every response carries, and ids kept out of logs."""

from __future__ import annotations

import logging
from urllib.parse import unquote_to_bytes

from flask import abort, request
from flask.logging import default_handler
from flask_login import current_user

from dialogue.core.extensions import csrf, limiter
from dialogue.core.log_privacy import RedactPaths

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

#: Pages whose URL carries a secret token must not leak it through the Referer header.
NO_REFERRER_ENDPOINTS = {"auth.link"}


def set_security_headers(response):
    """Add the headers of TARGETS S3; authenticated pages are never cached."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    no_referrer = request.endpoint in NO_REFERRER_ENDPOINTS
    headers["Referrer-Policy"] = "no-referrer" if no_referrer else "strict-origin-when-cross-origin"
    if current_user and current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
    return response


def refuse_invalid_utf8():
    """Refuse form bodies whose percent-escapes decode to invalid UTF-8.

    Werkzeug would otherwise keep such a value as the literal text "%FF%FE" and store it.
    """
    if request.mimetype != "application/x-www-form-urlencoded":
        return
    try:
        unquote_to_bytes(request.get_data(cache=True).replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        abort(400)


#: One filter object, so that building several apps adds it only once.
_REDACT_PATHS = RedactPaths()


def redact_logged_paths() -> None:
    """Blank ids in every path the app's own log lines and the development server write.

    The development server logs each request line to ``werkzeug``; the app's loggers
    (``dialogue.*``) end in Flask's default handler. Production's gunicorn does the same in
    ``gunicorn.conf.py``.
    """
    logging.getLogger("werkzeug").addFilter(_REDACT_PATHS)
    default_handler.addFilter(_REDACT_PATHS)


def init_app(app) -> None:
    """Switch on CSRF protection, the rate limiter, the headers and path redaction in logs."""
    redact_logged_paths()
    app.before_request(refuse_invalid_utf8)
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(set_security_headers)
