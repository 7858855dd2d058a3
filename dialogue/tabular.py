"""Read a table from a CSV or Excel (.xlsx) file as people export it: header row, then data rows.

CSV files come from Excel, LibreOffice, survey tools and HR systems, so the reader accepts any of
the usual delimiters (comma, semicolon, tab, pipe) and encodings (UTF-8 with or without BOM,
UTF-16, and legacy code pages, detected with charset-normalizer). Every data row is kept in file
order, empty ones included, so a row's position is a stable reference; only empty rows after the
last row with content are dropped (spreadsheets often carry formatted but empty rows at the end).
Cells are returned as read: strings from CSV, Python values (numbers, dates, None) from Excel.

This module knows files, not the database or the web; its messages are lazily translated.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DELIMITERS = ",;\t|"
_SINGLE_COLUMN = "\x1f"  # a delimiter no text contains: read the line as one cell
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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
        data = path.read_bytes()
    except OSError as exc:
        raise TableError(_l("The file %(name)s cannot be read.", name=path.name)) from exc
    return read_table(data, path.name)


def read_table(data: bytes, filename: str = "") -> Table:
    """Read a CSV or .xlsx file's bytes as a header and data rows.

    Raises
    ------
    TableError
        For an empty file, an old .xls file, a broken workbook or a file that is not a table.
    """
    if not data.strip():
        raise TableError(_l("The file is empty."))
    if data.startswith(_OLE2_MAGIC):
        raise TableError(
            _l("Old Excel files (.xls) cannot be read. Save the file as .xlsx or CSV.")
        )
    if data.startswith(_ZIP_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        rows = _xlsx_rows(data)
    else:
        rows = _csv_rows(decode(data))
    while rows and not any(_has_content(cell) for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise TableError(_l("The file is empty."))
    header = ["" if cell is None else str(cell).strip() for cell in rows[0]]
    return Table(header, rows[1:])


def _has_content(cell: object) -> bool:
    return cell is not None and str(cell).strip() != ""


def decode(data: bytes) -> str:
    """The file's text: by its byte-order mark, else UTF-8, else the detected encoding."""
    boms = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"))
    for bom, encoding in (*boms, (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise TableError(_not_a_table()) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:1_000_000]).best()
    encoding = best.encoding if best is not None else "cp1252"
    return data.decode(encoding, errors="replace")


def _not_a_table():
    return _l("The file is neither a CSV file nor an Excel file (.xlsx).")


def _csv_rows(text: str) -> list[list[object]]:
    if _BINARY.search(text[:65536]):
        raise TableError(_not_a_table())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return [list(cells) for cells in reader]
    except csv.Error as exc:
        raise TableError(
            _l(
                "Line %(line)s cannot be read as CSV. Check its quotation marks.",
                line=reader.line_num,
            )
        ) from exc


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


def _xlsx_rows(data: bytes) -> list[list[object]]:
    # A corrupt or hostile workbook can fail in zipfile, the XML parser or openpyxl itself, and
    # lazily while rows are read, so the whole first sheet is read under one broad guard.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return [list(values) for values in workbook.worksheets[0].iter_rows(values_only=True)]
        finally:
            workbook.close()
    except Exception as exc:  # noqa: BLE001 - any failure of an untrusted file means "unreadable"
        raise TableError(
            _l("The Excel file could not be read. Open it in Excel and save it again as .xlsx.")
        ) from exc
