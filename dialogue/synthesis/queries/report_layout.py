"""Numbers, tables and charts as the Word report lays them out (see :mod:`.report_docx`).

Charts are drawn as PNG with matplotlib (Word does not show the page's inline SVG): the same
numbers as the page's charts, with a table beside each as on the page.
"""

from __future__ import annotations

import io

from docx.shared import Cm
from flask_babel import format_decimal, format_percent
from matplotlib.figure import Figure

from dialogue.core.charts import BAR_COLOUR, SCALE_COLOURS, TEXT_COLOUR

#: Width of a chart on the page.
CHART_WIDTH = Cm(16)
#: Labels longer than this are cut in charts (the table beside has them in full).
LABEL_LIMIT = 40


# --- numbers ------------------------------------------------------------------------------------


def number(value, digits: int = 1) -> str:
    """A decimal in the locale's format; a dash for a hidden figure (None)."""
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0")


def whole(value) -> str:
    """A whole number in the locale's format."""
    return number(value, 0)


def percent(value) -> str:
    """A share as a whole percentage in the locale's format."""
    return "–" if value is None else format_percent(value, format="#,##0 %")


def table(document, header: list[str], rows: list[list[str]]):
    """A grid table with a bold header row."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    return table


# --- charts -------------------------------------------------------------------------------------


def _short(label: str) -> str:
    return label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1] + "…"


def _figure(rows: int) -> tuple[Figure, object]:
    figure = Figure(figsize=(8, 0.45 * max(rows, 1) + 1.0), dpi=150)
    axes = figure.add_subplot()
    axes.invert_yaxis()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure, axes


def _png(figure: Figure) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def bar_chart(title: str, rows, value_format, hidden_text: str) -> bytes:
    """One horizontal bar per (label, value); a hidden value (None) gets no bar, only a note."""
    figure, axes = _figure(len(rows))
    positions = range(len(rows))
    values = [value or 0 for _label, value in rows]
    axes.barh(positions, values, color=BAR_COLOUR)
    axes.set_yticks(list(positions), [_short(label) for label, _value in rows], parse_math=False)
    for position, (_label, value) in zip(positions, rows, strict=True):
        text = hidden_text if value is None else value_format(value)
        axes.text(
            value or 0, position, f" {text}", va="center", color=TEXT_COLOUR, parse_math=False
        )
    axes.set_xlim(0, (max(values, default=0) or 1) * 1.25)
    axes.set_title(title, color=TEXT_COLOUR, parse_math=False)
    return _png(figure)


def distribution_chart(title: str, rows, scale) -> bytes:
    """Stacked bars of the answers 1–5 per item, as shares; hidden items stay empty."""
    figure, axes = _figure(len(rows))
    positions = list(range(len(rows)))
    lefts = [0.0] * len(rows)
    shares = [
        [count / sum(counts) for count in counts] if counts and sum(counts) else None
        for _label, counts in rows
    ]
    for point, ((_value, words), colour) in enumerate(zip(scale, SCALE_COLOURS, strict=True)):
        widths = [row[point] if row else 0 for row in shares]
        axes.barh(positions, widths, left=lefts, color=colour, label=str(words))
        lefts = [left + width for left, width in zip(lefts, widths, strict=True)]
    axes.set_yticks(positions, [_short(label) for label, _counts in rows], parse_math=False)
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(lambda value, _position: percent(value))
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=len(scale), frameon=False)
    axes.set_title(title, color=TEXT_COLOUR, parse_math=False)
    return _png(figure)


def picture(document, png: bytes) -> None:
    """A chart at the page's chart width."""
    document.add_picture(io.BytesIO(png), width=CHART_WIDTH)
