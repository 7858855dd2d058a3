"""How far a workbook's sheets reach, read from their XML without parsing a single cell.

A spreadsheet is a zip archive, and openpyxl trusts a sheet's own claim of its size: a row
numbered 1,000,000 or a claimed A1:XFD1048576 makes it produce millions of empty rows. Scanning
the row and cell start tags for their positions finds the real extent fast, before anything is
read (``reading.check_workbook``).
"""

from __future__ import annotations

import re
import zipfile

#: A row or cell start tag, with or without a namespace prefix, and its attributes.
_ROW_OR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)\b([^>]*)>")
#: The position attribute of a row ("12") or a cell ("AB12").
_POSITION = re.compile(rb'\br="([A-Z]*)(\d*)"')
_SCAN_CHUNK = 1024 * 1024


def sheet_extent(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, most_rows: int
) -> tuple[int, int]:
    """The last row and column a sheet's XML places anything in, as openpyxl would count them.

    Stops once ``most_rows`` is passed. Rows and cells without a position follow the previous.
    """
    last_row = last_column = row = column = 0
    tail = b""
    with archive.open(member) as xml:
        while chunk := xml.read(_SCAN_CHUNK):
            text = tail + chunk
            end = text.rfind(b">") + 1
            text, tail = text[:end], text[end:]
            for match in _ROW_OR_CELL.finditer(text):
                position = _POSITION.search(match.group(2))
                if match.group(1) == b"row":
                    digits = position.group(2) if position else b""
                    row = int(digits) if digits else row + 1
                    column = 0
                    last_row = max(last_row, row)
                else:
                    letters = position.group(1) if position else b""
                    column = _column_number(letters) if letters else column + 1
                    last_column = max(last_column, column)
            if last_row > most_rows:
                break
    return last_row, last_column


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number
