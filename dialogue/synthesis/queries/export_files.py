"""The files of an export: JSON, CSV tables and a workbook, from the data ``exports`` gathers.

Spreadsheet cells that look like a formula are kept as text (CSV injection).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMATS = ("json", "csv", "xlsx")
TABLES = ("contributions", "themes", "proposals")
#: A spreadsheet would run a cell starting with these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def plain(value: Any) -> Any:
    """JSON-ready data from dataclasses, lazy strings, tuples, NaN and ids."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)  # lazy translations, enums' values are taken before this


def to_json(data: dict[str, Any]) -> bytes:
    """The export as UTF-8 JSON, indented for people who open it in an editor."""
    return json.dumps(plain(data), ensure_ascii=False, indent=2).encode()


def _cell(value: Any) -> Any:
    """A value safe for a spreadsheet cell: text that looks like a formula stays text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def tables(data: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """The export as three flat tables (header row first) for spreadsheets."""
    labels = {theme["id"]: theme["label"] for theme in data["themes"]}
    rounds = {r["id"]: r["title"] for r in data["rounds"]}
    with_text = data["raw_text"]
    contributions = [["id", "round", "target", *(["text"] if with_text else []), "themes"]]
    for row in data["contributions"]:
        text = [row["text"]] if with_text else []
        themes = " | ".join(labels[i] for i in row["theme_ids"] if i in labels)
        contributions.append([row["id"], rounds[row["round_id"]], row["target"], *text, themes])
    themes = [["id", "round", "label", "state", "contributions", "participants"]]
    for t in data["themes"]:
        themes.append(
            [
                t["id"],
                rounds.get(t["round_id"]),
                t["label"],
                t["state"],
                t["contributions"],
                t["participants"],
            ]
        )
    proposals = [
        [
            "id",
            "kind",
            "status",
            "perspective",
            "title",
            "text",
            "change_note",
            "source_theme",
            "source_contribution",
            "source_note",
        ]
    ]
    for p in data["proposals"]:
        latest = p["versions"][-1]
        head = [
            p["id"],
            p["kind"],
            p["status"],
            p["perspective"],
            latest["title"],
            latest["text"],
            latest["change_note"],
        ]
        for s in p["sources"] or [{"theme_id": None, "contribution_id": None, "note": ""}]:
            theme = labels.get(s["theme_id"]) if s["theme_id"] is not None else None
            proposals.append([*head, theme, s["contribution_id"], s["note"]])
    return {"contributions": contributions, "themes": themes, "proposals": proposals}


def to_csv(rows: list[list[Any]]) -> bytes:
    """One table as CSV, UTF-8 with a byte-order mark so that Excel reads the Danish letters."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode()


def _xlsx_text(value: Any) -> Any:
    """Drop control characters, which a workbook cannot hold (a pasted text may carry them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def to_xlsx(data: dict[str, Any]) -> bytes:
    """The three tables as sheets of one workbook."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in tables(data).items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append([_cell(_xlsx_text(v)) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
