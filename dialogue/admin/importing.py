"""Reading a participant list from a CSV or Excel file, checking every row before anything is saved.

Admins export these lists from payroll or HR systems, so the reader accepts what those produce:
Danish or English headers, any of the usual delimiters, UTF-8 (with or without BOM), UTF-16
("Unicode text") and the Windows code page Danish Excel still writes. Problems are collected for
the whole file with their line numbers, because an admin fixing a file wants every problem at once.
This module knows files, not the database: ``dialogue.admin.services`` applies the rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

from dialogue.core.tabular import MAX_ROWS, TableError, bounded_rows, check_workbook

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

#: Control characters never found in a text export; their presence means a binary file.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_HEADER_NOISE = re.compile(r"[\s\-_.]+")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_DELIMITERS = ",;\t"


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


def read_rows(data: bytes, filename: str = "") -> Iterator[tuple[int, list[str]]]:
    """The file's non-empty rows with their line numbers, the header first.

    Raises
    ------
    ImportRefused
        For an empty, binary, corrupt or unreadable file.
    """
    if not data.strip():
        raise ImportRefused(_l("The file is empty."))
    if data.startswith(_OLE2_MAGIC):
        raise ImportRefused(
            _l("Old Excel files (.xls) cannot be read. Save the file as .xlsx or CSV.")
        )
    if data.startswith(_ZIP_MAGIC) or filename.lower().endswith(".xlsx"):
        return _xlsx_rows(data)
    return _csv_rows(data)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    # Too many rows or too much unpacked data is refused before reading (dialogue.core.tabular).
    try:
        check_workbook(data)
    except TableError as exc:
        raise ImportRefused(exc.message) from None
    # A corrupt or hostile workbook can fail in zipfile, the XML parser or openpyxl itself, and
    # lazily while rows are read, so the whole sheet is read here under one broad guard.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            rows = [
                (number, [_cell_text(value) for value in values])
                for number, values in enumerate(bounded_rows(sheet), 1)
            ]
        finally:
            workbook.close()
    except Exception as exc:  # noqa: BLE001 - any failure of an untrusted file means "unreadable"
        raise ImportRefused(_excel_unreadable()) from exc
    return iter([(number, cells) for number, cells in rows if any(cells)])


def _excel_unreadable():
    return _l("The Excel file could not be read. Open it in Excel and save it again as .xlsx.")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def decode(data: bytes) -> str:
    """The file's text: UTF-16 by its BOM, else UTF-8 (BOM optional), else Windows-1252.

    Windows-1252 decodes nearly any byte string, so it is the last resort; Danish Excel writes
    CSV in it, and for æ, ø and å it agrees with ISO-8859-1.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportRefused(_not_a_table()) from exc
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _not_a_table():
    return _l("The file is neither a CSV file nor an Excel file (.xlsx).")


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = decode(data)
    if _BINARY.search(text[:65536]):
        raise ImportRefused(_not_a_table())
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        delimiter = max(_DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for count, cells in enumerate(reader):
            if count > MAX_ROWS:
                raise ImportRefused(
                    _l(
                        "The file has more than %(rows)s rows. Split it into smaller files.",
                        rows=MAX_ROWS,
                    )
                )
            if any(cell.strip() for cell in cells):
                yield start, [cell.strip() for cell in cells]
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportRefused(
            _l("Line %(line)s cannot be read as CSV. Check its quotation marks.", line=start)
        ) from exc


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
    rows = read_rows(data, filename)
    first = next(rows, None)
    if first is None:
        raise ImportRefused(_l("The file is empty."))
    columns, problems = map_columns(*first)
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
