"""Reading a participant list from a CSV or Excel file, checking every row before anything is saved.

Admins export these lists from payroll or HR systems; ``dialogue.core.tabular`` reads what those
produce (any of the usual delimiters and encodings, .xlsx, within its size limits), and this module
maps Danish or English headers to fields and checks every row. Problems are collected for the
whole file with their line numbers, because an admin fixing a file wants every problem at once.
This module knows files, not the database: ``importing`` applies the rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from dialogue.core.tabular import reading
from dialogue.core.tabular.reading import TableError

#: The largest file an admin may upload (100,000 rows of a typical list take about 6 MB).
MAX_IMPORT_BYTES = 20 * 1024 * 1024

#: Header spellings, compared after lower-casing and removing spaces, "-", "_" and ".".
COLUMN_ALIASES = {
    "email": {"email", "mail", "emailadresse", "emailaddress", "epost", "epostadresse"},
    "name": {"name", "navn", "fuldtnavn", "fullname"},
    "department": {"department", "afdeling", "enhed"},
    "role_group": {"rolegroup", "rollegruppe", "stillingsgruppe", "jobgroup", "role"},
}
REQUIRED_COLUMNS = ("email", "name")

#: Longest values the database columns take (``Person`` and ``Membership``).
MAX_LENGTHS = {"email": 254, "name": 200, "department": 120, "role_group": 60}

COLUMN_LABELS = {
    "email": _l("e-mail"),
    "name": _l("name"),
    "department": _l("department"),
    "role_group": _l("role group"),
}

_HEADER_NOISE = re.compile(r"[\s\-_.]+")


class ImportRefused(Exception):
    """The file as a whole cannot be read; ``message`` says why in the user's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    """One problem with one line of the file (1-based, the header being line 1)."""

    line: int
    message: object  # a lazy string, translated when shown


@dataclass(frozen=True)
class ParticipantRow:
    """One valid participant of the file, e-mail address normalised and lower-cased."""

    line: int
    email: str
    name: str
    department: str | None
    role_group: str | None


def read_rows(data: bytes, filename: str = "") -> list[tuple[int, list[str]]]:
    """The file's rows with content, as stripped text, with their line numbers, the header first.

    An empty row in a participant list is no participant and no problem, so it is left out; the
    line numbers still count it.

    Raises
    ------
    ImportRefused
        For an empty, binary, corrupt, unreadable or too large file.
    """
    try:
        rows = reading.read_rows(data, filename)
    except TableError as exc:
        raise ImportRefused(exc.message) from None
    texts = [(line, [_cell_text(value) for value in cells]) for line, cells in rows]
    return [(line, cells) for line, cells in texts if any(cells)]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def normalise_header(value: str) -> str:
    """A header cell as compared with ``COLUMN_ALIASES``: "Role group" → "rolegroup"."""
    return _HEADER_NOISE.sub("", value.lower())


def map_columns(line: int, header: list[str]) -> tuple[dict[str, int], list[Problem]]:
    """Which cell holds which field, and the problems of the header row.

    Unknown columns are ignored, since exports often carry more than we need.
    """
    columns: dict[str, int] = {}
    problems = []
    for index, cell in enumerate(header):
        key = normalise_header(cell)
        for field, aliases in COLUMN_ALIASES.items():
            if key not in aliases:
                continue
            if field in columns:
                problems.append(
                    Problem(line, _l("There are two columns for %(column)s.", column=cell))
                )
            columns[field] = index
    for field in REQUIRED_COLUMNS:
        if field not in columns:
            problems.append(
                Problem(
                    line,
                    _l(
                        "The column “%(column)s” is missing (accepted headers: %(aliases)s).",
                        column=COLUMN_LABELS[field],
                        aliases=", ".join(sorted(COLUMN_ALIASES[field])),
                    ),
                )
            )
    return columns, problems


def parse_participants(
    data: bytes, filename: str = ""
) -> tuple[list[ParticipantRow], list[Problem]]:
    """Every participant of the file and every problem found in it.

    The caller saves nothing unless the problem list is empty.

    Raises
    ------
    ImportRefused
        When the file as a whole cannot be read.
    """
    # The reader refuses a file without content, so there is always a header.
    header, *rows = read_rows(data, filename)
    columns, problems = map_columns(*header)
    if problems:
        return [], problems
    participants: list[ParticipantRow] = []
    first_line_of: dict[str, int] = {}
    for line, cells in rows:
        values = {
            field: cells[index] if index < len(cells) else "" for field, index in columns.items()
        }
        row, row_problems = _check_row(line, values, first_line_of)
        problems.extend(row_problems)
        if row is not None:
            participants.append(row)
    if not participants and not problems:
        raise ImportRefused(_l("The file has a header but no participants."))
    return participants, problems


def _check_row(
    line: int, values: dict[str, str], first_line_of: dict[str, int]
) -> tuple[ParticipantRow | None, list[Problem]]:
    problems = []
    for field in REQUIRED_COLUMNS:
        if not values[field]:
            problems.append(
                Problem(line, _l("The %(column)s is missing.", column=COLUMN_LABELS[field]))
            )
    for field, limit in MAX_LENGTHS.items():
        if len(values.get(field) or "") > limit:
            problems.append(
                Problem(
                    line,
                    _l(
                        "The %(column)s is longer than %(limit)s characters.",
                        column=COLUMN_LABELS[field],
                        limit=limit,
                    ),
                )
            )
    email = values["email"]
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            problems.append(
                Problem(line, _l("“%(value)s” is not a valid e-mail address.", value=email))
            )
            email = ""
    if email:
        if email in first_line_of:
            problems.append(
                Problem(
                    line,
                    _l(
                        "The e-mail address %(value)s already appears on line %(other)s.",
                        value=email,
                        other=first_line_of[email],
                    ),
                )
            )
        else:
            first_line_of[email] = line
    if problems:
        return None, problems
    return (
        ParticipantRow(
            line=line,
            email=email,
            name=values["name"],
            department=values.get("department") or None,
            role_group=values.get("role_group") or None,
        ),
        [],
    )
