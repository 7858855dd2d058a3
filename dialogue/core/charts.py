"""Charts as inline SVG, drawn on the server: readable without JavaScript and allowed by the CSP.

The Content-Security-Policy forbids inline ``style`` attributes, so everything visual is an SVG
presentation attribute (``fill``, ``width`` …). Every text node and attribute value goes through
``markupsafe.escape`` – labels are item names an admin typed or a theme analysis produced – and
only markup built here is returned as ``Markup``. Each chart has a ``<title>`` and is labelled by
the caption the template puts beside it; the template also shows the same numbers as a table,
which is the chart's real text alternative.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

#: Colours with enough contrast against white and against each other's neighbours (1–5 scale:
#: red through grey to blue, so that it also reads in grey scale and for red-green blindness).
BAR_COLOUR = "#0b5394"
SCALE_COLOURS = ("#a11d1d", "#e08a7b", "#b8bec5", "#6fa8dc", "#0b5394")
TEXT_COLOUR = "#1b1f24"

WIDTH = 640
LABEL_WIDTH = 220
VALUE_WIDTH = 70
ROW_HEIGHT = 28
BAR_HEIGHT = 18
FONT_SIZE = 13


def _attrs(attributes: dict[str, object]) -> str:
    return "".join(
        f' {name.replace("_", "-")}="{escape(value)}"' for name, value in attributes.items()
    )


def _element(tag: str, content: str = "", **attributes) -> str:
    """One element; ``content`` must already be escaped markup."""
    return f"<{tag}{_attrs(attributes)}>{content}</{tag}>"


def _text(value: object, **attributes) -> str:
    return _element("text", str(escape(str(value))), **attributes)


def _truncate(label: str, limit: int = 30) -> str:
    """Long labels are shortened in the chart only; the table beside it shows them whole."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _svg(chart_id: str, title: str, height: int, body: str, labelled_by: str | None) -> Markup:
    title_id = f"{chart_id}-title"
    labels = " ".join(filter(None, [title_id, labelled_by]))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img"{_attrs({"id": chart_id})}'
        f"{_attrs({'aria_labelledby': labels})}"
        f' viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet"'
        f' font-family="sans-serif" font-size="{FONT_SIZE}" class="chart">'
        + _element("title", str(escape(title)), id=title_id)
        + body
        + "</svg>"
    )
    # Every text node above went through escape(); the rest is markup this module wrote.
    return Markup(svg)  # nosec B704


def bar_chart(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, float | None]],
    *,
    maximum: float | None = None,
    value_format: Callable[[float], str] = lambda v: f"{v:g}",
    hidden_text: str = "",
    labelled_by: str | None = None,
) -> Markup:
    """Horizontal bars, one per (label, value); a None value (suppressed) draws no bar.

    Parameters
    ----------
    chart_id : str
        Unique on the page; the title's id derives from it.
    title : str
        The chart's accessible name.
    rows : sequence of (str, float or None)
        Labels and values in the order shown.
    maximum : float, optional
        The value of a full-width bar; the largest value by default.
    value_format : callable
        Turns a value into the text at the end of its bar.
    hidden_text : str
        Shown instead of a value for suppressed rows.
    labelled_by : str, optional
        Id of the caption that describes the chart.
    """
    values = [v for _label, v in rows if v is not None]
    top = maximum or max(values, default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = []
    for index, (label, value) in enumerate(rows):
        y = index * ROW_HEIGHT
        middle = y + ROW_HEIGHT / 2 + FONT_SIZE / 3
        parts.append(_text(_truncate(label), x=0, y=f"{middle:g}", fill=TEXT_COLOUR))
        if value is None:
            parts.append(_text(hidden_text, x=LABEL_WIDTH, y=f"{middle:g}", fill=TEXT_COLOUR))
            continue
        width = max(span * max(value, 0) / top, 0)
        parts.extend(_bar(y, middle, width, value_format(value)))
    height = max(len(rows), 1) * ROW_HEIGHT
    return _svg(chart_id, title, height, "".join(parts), labelled_by)


def _bar(y: float, middle: float, width: float, value_text: str) -> tuple[str, str]:
    """A row's bar, ``width`` wide, and the text of its value at the bar's end."""
    return (
        _element(
            "rect",
            x=LABEL_WIDTH,
            y=f"{y + (ROW_HEIGHT - BAR_HEIGHT) / 2:g}",
            width=f"{width:.1f}",
            height=BAR_HEIGHT,
            fill=BAR_COLOUR,
        ),
        _text(value_text, x=f"{LABEL_WIDTH + width + 6:.1f}", y=f"{middle:g}", fill=TEXT_COLOUR),
    )


def distribution_chart(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, Sequence[int] | None]],
    scale: Sequence[tuple[int, str]],
    *,
    hidden_text: str = "",
    labelled_by: str | None = None,
) -> Markup:
    """Stacked 100% bars of 1–5 answers per item, with a legend of the scale's words.

    Parameters
    ----------
    chart_id, title, hidden_text, labelled_by
        As for :func:`bar_chart`.
    rows : sequence of (str, counts or None)
        Per item, how many answered 1, 2, 3, 4 and 5; None where the item is suppressed.
    scale : sequence of (int, str)
        The five points of the scale and their words, for the legend.
    """
    legend = [
        (f"{point} {_truncate(str(words), 18)}", colour)
        for (point, words), colour in zip(scale, SCALE_COLOURS, strict=False)
    ]
    return stacked_chart(
        chart_id, title, rows, legend, hidden_text=hidden_text, labelled_by=labelled_by
    )


def stacked_chart(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, Sequence[int] | None]],
    legend: Sequence[tuple[str, str]],
    *,
    hidden_text: str = "",
    labelled_by: str | None = None,
) -> Markup:
    """Stacked 100% bars of counts per category, one bar per row, with a legend.

    Parameters
    ----------
    chart_id, title, hidden_text, labelled_by
        As for :func:`bar_chart`.
    rows : sequence of (str, counts or None)
        Per row, the count of each category in legend order; None where the row is suppressed.
    legend : sequence of (str, str)
        Each category's words and colour, in the order of the counts.
    """
    colours = [colour for _words, colour in legend]
    span = WIDTH - LABEL_WIDTH - 10
    parts = []
    for index, (label, counts) in enumerate(rows):
        y = index * ROW_HEIGHT
        middle = y + ROW_HEIGHT / 2 + FONT_SIZE / 3
        parts.append(_text(_truncate(label), x=0, y=f"{middle:g}", fill=TEXT_COLOUR))
        total = sum(counts or ())
        if not counts or not total:
            parts.append(_text(hidden_text, x=LABEL_WIDTH, y=f"{middle:g}", fill=TEXT_COLOUR))
            continue
        x = float(LABEL_WIDTH)
        for colour, count in zip(colours, counts, strict=False):
            width = span * count / total
            if width > 0:
                parts.append(
                    _element(
                        "rect",
                        x=f"{x:.1f}",
                        y=f"{y + (ROW_HEIGHT - BAR_HEIGHT) / 2:g}",
                        width=f"{width:.1f}",
                        height=BAR_HEIGHT,
                        fill=colour,
                        stroke="#ffffff",
                        stroke_width=1,
                    )
                )
            x += width
    legend_y = len(rows) * ROW_HEIGHT + 8
    step = (WIDTH - 10) / max(len(legend), 1)
    for index, (words, colour) in enumerate(legend):
        x = index * step
        parts.append(_element("rect", x=f"{x:.1f}", y=legend_y, width=12, height=12, fill=colour))
        parts.append(_text(words, x=f"{x + 16:.1f}", y=legend_y + 11, fill=TEXT_COLOUR))
    height = legend_y + 20
    return _svg(chart_id, title, height, "".join(parts), labelled_by)
