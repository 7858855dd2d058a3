"""Paths as logs may keep them: every id blanked (TARGETS A9).

A path such as ``/d/x/contributions/<uuid>/edit`` or ``/d/x/my-input/<uuid>/check`` with its
time says when somebody worked on which contribution; beside any record of when a person was
logged in, that names the author. So the access log, the server's error log and the app's own
log lines keep the shape of a path and never its ids: numbers, UUIDs (with or without dashes,
job ids are 32 hex digits too) and the token of a login link all become ``…``. The slug of a
dialogue stays, since it names a dialogue, not a person.

This module imports nothing of the app, so that ``gunicorn.conf.py`` can use it before the app
is loaded.
"""

from __future__ import annotations

import logging
import re

BLANK = "…"

#: A path segment that is an id: digits, or a UUID / 32 hex digits.
_ID_SEGMENT = re.compile(
    r"(?<=/)(?:\d+|[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12})"
    r"(?=/|$|\s|\?|\")"
)
#: A login link carries its secret in the path: ``/link/<token>``.
_LINK_TOKEN = re.compile(r"(/link/)[^/\s?\"]+")


def redact_path(text: str) -> str:
    """``text`` (a path, or a log line holding paths) with every id and link token blanked."""
    return _ID_SEGMENT.sub(BLANK, _LINK_TOKEN.sub(r"\1" + BLANK, text))


class RedactPaths(logging.Filter):
    """A logging filter that blanks ids in the finished message of every record it passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the record's message by its redacted form; never drop a record."""
        message = record.getMessage()
        redacted = redact_path(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
