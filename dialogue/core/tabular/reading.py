"""Read a table from a CSV or Excel (.xlsx) file as people export it: header row, then data rows.

CSV files come from Excel, LibreOffice, survey tools and HR systems, so the reader accepts any of
the usual delimiters (comma, semicolon, tab, pipe) and encodings (UTF-8 with or without BOM,
UTF-16 with BOM, and the Windows code page Danish Excel still writes). Every data row is kept in
file order, empty ones included, so a row's position is a stable reference; only empty rows after
the last row with content are dropped (spreadsheets often carry formatted but empty rows at the
end). Cells are returned as read: strings from CSV, Python values (numbers, dates, None) from
Excel. :func:`read_rows` also gives each row's line number, for messages about a row.

Files from outside are untrusted, and a spreadsheet is a zip archive: a few kilobytes can unpack
to gigabytes, or make openpyxl produce millions of empty rows (a row numbered 1,000,000, or a
claimed size of A1:XFD1048576). So before anything is read, :func:`check_workbook` refuses a
workbook larger than ``MAX_UNPACKED_BYTES`` unpacked, or with a sheet of more than ``MAX_ROWS``
data rows or ``MAX_COLUMNS`` columns, by scanning the sheets' XML for row and cell positions
(``extent``; fast: no cell is parsed); CSV files are held to the same limits. It is the only
reader of tables: the participant import (``dialogue.admin.services.participant_file``) builds
on :func:`read_rows`.

This module knows files, not the database or the web; its messages are lazily translated.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

from dialogue.core.tabular.extent import sheet_extent

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DELIMITERS = ",;\t|"
_SINGLE_COLUMN = "\x1f"  # a delimiter no text contains: read the line as one cell
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

#: Most data rows (below the header) a table may have: 100,000 participants or texts.
MAX_ROWS = 100_000
#: Most columns a sheet may use; exports from HR systems have a few dozen at most.
MAX_COLUMNS = 100
#: Most bytes a file may hold once unpacked (a list of 100,000 people unpacks to about 25 MB).
MAX_UNPACKED_BYTES = 64 * 1024 * 1024


class TableError(Exception):
    """The file cannot be read as a table; ``message`` says why, ready to show."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Table:
    """A header and the data rows below it, in file order."""

    header: list[str]
    rows: list[list[object]]

    def column(self, name: str) -> list[object]:
        """The cells of column `name` (matched ignoring case and surrounding spaces), one per row.

        Rows shorter than the header give ``None`` for the missing cell.
        """
        wanted = name.strip().casefold()
        matches = [i for i, title in enumerate(self.header) if title.strip().casefold() == wanted]
        if not matches:
            raise TableError(
                _l(
                    "There is no column “%(name)s”. The columns are: %(columns)s.",
                    name=name,
                    columns=", ".join(title for title in self.header if title) or "—",
                )
            )
        index = matches[0]
        return [row[index] if index < len(row) else None for row in self.rows]


def read_table_file(path: str | Path) -> Table:
    """Read the table in the file at `path`; see :func:`read_table`."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_UNPACKED_BYTES:
            raise TableError(_too_large())
        data = path.read_bytes()
    except OSError as exc:
        raise TableError(_l("The file %(name)s cannot be read.", name=path.name)) from exc
    return read_table(data, path.name)


def read_table(data: bytes, filename: str = "") -> Table:
    """Read a CSV or .xlsx file's bytes as a header and data rows; see :func:`read_rows`."""
    header, *rows = (cells for _line, cells in read_rows(data, filename))
    return Table(["" if cell is None else str(cell).strip() for cell in header], rows)


def read_rows(data: bytes, filename: str = "") -> list[tuple[int, list[object]]]:
    """A CSV or .xlsx file's rows, the header first, each with the line it starts on (from 1).

    A CSV row's line is where its record starts in the file (a quoted cell may span lines); a
    workbook row's is its row number in the sheet.

    Raises
    ------
    TableError
        For an empty file, an old .xls file, a broken workbook, a file that is not a table, or
        one beyond the limits.
    """
    if not data.strip():
        raise TableError(_l("The file is empty."))
    if data.startswith(_OLE2_MAGIC):
        raise TableError(
            _l("Old Excel files (.xls) cannot be read. Save the file as .xlsx or CSV.")
        )
    if data.startswith(_ZIP_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        check_workbook(data)
        rows = _xlsx_rows(data)
    else:
        if len(data) > MAX_UNPACKED_BYTES:
            raise TableError(_too_large())
        rows = _csv_rows(decode(data))
    while rows and not any(_has_content(cell) for cell in rows[-1][1]):
        rows.pop()
    if not rows:
        raise TableError(_l("The file is empty."))
    return rows


def _has_content(cell: object) -> bool:
    return cell is not None and str(cell).strip() != ""


def decode(data: bytes) -> str:
    """The file's text: by its byte-order mark, else UTF-8, else Windows-1252, else Latin-1.

    A file whose byte-order mark does not match its bytes is refused rather than guessed at.
    No encoding is detected: on short files (a participant list) detection picks Baltic or
    Chinese code pages for Danish text, while Windows-1252, which Danish Excel writes CSV in,
    decodes nearly any byte string and agrees with ISO-8859-1 on æ, ø and å. A file in UTF-16
    without a byte-order mark decodes with control characters and is refused as not a table.
    """
    boms = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"))
    for bom, encoding in (*boms, (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise TableError(_not_a_table()) from exc
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _not_a_table():
    return _l("The file is neither a CSV file nor an Excel file (.xlsx).")


def _csv_rows(text: str) -> list[tuple[int, list[object]]]:
    if _BINARY.search(text[:65536]):
        raise TableError(_not_a_table())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows = []
    # The line a record starts on: where an unclosed quotation mark is, not where reading failed.
    start = 1
    try:
        for cells in reader:
            if len(rows) > MAX_ROWS:
                raise TableError(_too_many_rows())
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise TableError(
            _l("Line %(line)s cannot be read as CSV. Check its quotation marks.", line=start)
        ) from exc
    return rows


def _delimiter(text: str) -> str:
    """The delimiter, judged by the header line: texts in the rows may hold any punctuation."""
    header = text.lstrip("\ufeff\r\n").split("\n", 1)[0]
    candidates = [d for d in _DELIMITERS if d in header]
    if not candidates:
        return _SINGLE_COLUMN
    if len(candidates) == 1:
        return candidates[0]
    try:
        return csv.Sniffer().sniff(header, delimiters="".join(candidates)).delimiter
    except csv.Error:
        return max(candidates, key=header.count)


def _xlsx_rows(data: bytes) -> list[tuple[int, list[object]]]:
    # A corrupt or hostile workbook can fail in zipfile, the XML parser or openpyxl itself, and
    # lazily while rows are read, so the whole first sheet is read under one broad guard.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            rows = _bounded_rows(workbook.worksheets[0])
            return [(number, list(values)) for number, values in enumerate(rows, 1)]
        finally:
            workbook.close()
    except Exception as exc:  # noqa: BLE001 - any failure of an untrusted file means "unreadable"
        raise TableError(
            _l("The Excel file could not be read. Open it in Excel and save it again as .xlsx.")
        ) from exc


def _bounded_rows(sheet):
    """A read-only sheet's rows as value tuples, never more than the limits allow.

    The sheet's own claim of its size is ignored (``reset_dimensions``): openpyxl would pad every
    row to it. ``check_workbook`` has already refused larger sheets; the bounds are a backstop.
    """
    sheet.reset_dimensions()
    return sheet.iter_rows(max_row=MAX_ROWS + 1, values_only=True)


def check_workbook(data: bytes) -> None:
    """Refuse a workbook that is too large, before any of it is read.

    A file that is no readable zip archive passes: reading it then fails with the usual message.

    Raises
    ------
    TableError
        When the workbook unpacks to more than ``MAX_UNPACKED_BYTES``, or a sheet has more than
        ``MAX_ROWS`` data rows or ``MAX_COLUMNS`` columns.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        members = archive.infolist()
        if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
            raise TableError(_too_large())
        for member in members:
            name = member.filename
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            try:
                rows, columns = sheet_extent(archive, member, MAX_ROWS + 1)
            except Exception:  # noqa: BLE001 - a broken sheet is reported by the reader itself
                return
            if rows > MAX_ROWS + 1:
                raise TableError(_too_many_rows())
            if columns > MAX_COLUMNS:
                raise TableError(
                    _l(
                        "The file has more than %(columns)s columns. "
                        "Delete the columns that are not needed.",
                        columns=MAX_COLUMNS,
                    )
                )


def _too_large():
    return _l(
        "The file is too large once unpacked (more than %(size)s MB). Split it into smaller files.",
        size=MAX_UNPACKED_BYTES // (1024 * 1024),
    )


def _too_many_rows():
    return _l(
        "The file has more than %(rows)s rows. Split it into smaller files.",
        rows=MAX_ROWS,
    )
