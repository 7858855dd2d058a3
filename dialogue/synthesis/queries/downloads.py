"""The export files by download name: what each holds, rendered from the dialogue's readings.

The buttons on the report page and their downloads share these names and media types.
"""

from __future__ import annotations

from dialogue.synthesis.queries import export_files, exports, report_docx

#: Download names and their media types.
EXPORT_FILES = {
    "dialogue.json": "application/json",
    "dialogue.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    **{f"{table}.csv": "text/csv; charset=utf-8" for table in export_files.TABLES},
    "report.docx": report_docx.MEDIA_TYPE,
}


def export_bytes(dialogue, name: str, *, raw_text: bool) -> bytes:
    """The file ``name`` of the dialogue's export; the Word report never holds raw text."""
    if name == "report.docx":
        return report_docx.report_docx(dialogue)
    data = exports.build_export(dialogue, raw_text=raw_text)
    if name == "dialogue.json":
        return export_files.to_json(data)
    if name == "dialogue.xlsx":
        return export_files.to_xlsx(data)
    return export_files.to_csv(export_files.tables(data)[name.removesuffix(".csv")])
