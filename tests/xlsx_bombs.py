"""Hand-built .xlsx files, small on disk and huge once read: what a hostile upload looks like.

openpyxl's writer cannot build them quickly (or at all: it writes honest sizes), so the parts of
the zip archive are written directly. Used by the tests of the file-size limits and by
``benchmarks/import_limits.py``.
"""

from __future__ import annotations

import io
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)


def cell(text: str, reference: str = "") -> str:
    """An inline-string cell, with a position when ``reference`` is given."""
    position = f' r="{reference}"' if reference else ""
    return f'<c{position} t="inlineStr"><is><t>{text}</t></is></c>'


def workbook(sheet_data: str, *, dimension: str = "", extra: dict[str, bytes] | None = None):
    """The bytes of an .xlsx whose only sheet holds ``sheet_data`` (the rows' XML)."""
    dimension_tag = f'<dimension ref="{dimension}"/>' if dimension else ""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets>'
        '<sheet name="Ark1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}">{dimension_tag}'
        f"<sheetData>{sheet_data}</sheetData></worksheet>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


HEADER = f"<row>{cell('email')}{cell('name')}</row>"


def many_rows(rows: int = 200_000) -> bytes:
    """A header and ``rows`` identical participant rows: a few kilobytes zipped."""
    row = f"<row>{cell('a@example.org')}{cell('Anne')}</row>"
    return workbook(HEADER + row * rows)


def far_row(number: int = 1_000_000) -> bytes:
    """One row numbered ``number``: openpyxl fills every row before it with empty cells."""
    return workbook(HEADER + f'<row r="{number}">{cell("a@example.org", f"A{number}")}</row>')


def far_column() -> bytes:
    """Rows with a cell in the last column, XFD: every row would be 16,384 cells wide."""
    row = f"<row>{cell('a@example.org')}{cell('Anne', 'XFD2')}</row>"
    return workbook(HEADER + row * 3, dimension="A1:XFD1048576")


def large_unpacked(megabytes: int = 80) -> bytes:
    """A small archive with a part of ``megabytes`` MB of spaces (it deflates to almost nothing)."""
    padding = b" " * (megabytes * 1024 * 1024)
    row = f"<row>{cell('a@example.org')}{cell('Anne')}</row>"
    return workbook(HEADER + row, extra={"xl/padding.xml": padding})
