"""The consultant's report as a Word file (.docx), for editing and handing on.

It holds what the printable report page holds (``dialogue.synthesis.queries.report``: rounds and
their results, themes, final values with "why this value?", proposals set aside), plus participation
per round (``rounds.results.participation``) and coverage with the critical factors still to follow
up (``dialogue.synthesis.queries.coverage``). Every figure comes from those functions, already
suppressed for small groups; this module only lays them out. No contribution text is written except
the quotes "why this value?" allows, and no name, e-mail address or time of anyone.

Charts are drawn as PNG with matplotlib (Word does not show the page's inline SVG): the same
numbers as the page's charts, with a table beside each as on the page.
"""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Cm
from flask_babel import force_locale, format_decimal, format_percent, ngettext
from flask_babel import gettext as _
from matplotlib.figure import Figure

from dialogue.core.charts import BAR_COLOUR, SCALE_COLOURS, TEXT_COLOUR
from dialogue.core.i18n import local_datetime
from dialogue.core.models import Dialogue
from dialogue.synthesis import forms
from dialogue.synthesis.queries.coverage import coverage
from dialogue.synthesis.queries.report import ReportContents, report_contents
from rounds import get_kind
from rounds.results.participation import round_participation

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: Width of a chart on the page.
CHART_WIDTH = Cm(16)
#: Labels longer than this are cut in charts (the table beside has them in full).
LABEL_LIMIT = 40


def report_docx(dialogue: Dialogue) -> bytes:
    """The report of ``dialogue`` as a .docx file, in the dialogue's language."""
    with force_locale(dialogue.language):
        contents = report_contents(dialogue)
        document = Document()
        document.core_properties.title = dialogue.title
        document.add_heading(dialogue.title, level=0)
        if dialogue.description:
            document.add_paragraph(dialogue.description)
        _rounds(document, dialogue, contents)
        _themes(document, contents)
        _values(document, contents)
        _coverage(document, dialogue, contents)
        buffer = io.BytesIO()
        document.save(buffer)
    return buffer.getvalue()


# --- numbers ------------------------------------------------------------------------------------


def _number(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0")


def _whole(value) -> str:
    return _number(value, 0)


def _percent(value) -> str:
    return "–" if value is None else format_percent(value, format="#,##0 %")


def _table(document, header: list[str], rows: list[list[str]]):
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


# --- rounds -------------------------------------------------------------------------------------


def _rounds(document, dialogue: Dialogue, contents: ReportContents) -> None:
    document.add_heading(_("Rounds and results"), level=1)
    for round_, results in contents.rounds:
        document.add_heading(f"{round_.position}. {round_.title}", level=2)
        document.add_paragraph(
            _(
                "%(start)s to %(end)s",
                start=local_datetime(round_.opens_at, dialogue.timezone, "short"),
                end=local_datetime(round_.closes_at, dialogue.timezone, "short"),
            )
        )
        if round_.prompt:
            document.add_paragraph(round_.prompt)
        _participation(document, round_)
        if results is not None:
            _results(document, round_, results)


def _participation(document, round_) -> None:
    """Invited, took part and contributions, as the staff's round page shows them."""
    participation = round_participation(round_)
    if participation is None:
        return
    if participation.contributors is None:
        took_part = _("fewer than %(k)d", k=round_.dialogue.min_group_size)
    else:
        took_part = _whole(participation.contributors)
    document.add_paragraph(
        _(
            "Invited: %(invited)s. Took part: %(took_part)s. Contributions: %(contributions)s.",
            invited=_whole(participation.invited),
            took_part=took_part,
            contributions=_whole(participation.contributions),
        )
    )


def _results(document, round_, results) -> None:
    k = results.min_group_size
    if results.pending:
        document.add_paragraph(
            _("The round has closed. Its results are being computed and will appear here shortly.")
        )
        return
    if results.live:
        document.add_paragraph(_("The results appear when the round closes."))
        return
    if results.suppressed:
        document.add_paragraph(
            _(
                "Fewer than %(k)d people answered, so no results are shown, to keep everyone "
                "anonymous.",
                k=k,
            )
        )
        return
    document.add_paragraph(
        ngettext("%(num)d person answered.", "%(num)d people answered.", results.respondents)
    )
    items = results.ordered_items
    hidden = _("fewer than %(k)d", k=k)
    if results.method == "rank":
        rows = [(item.label, item.ranking.borda if item.ranking else None) for item in items]
        _picture(document, _bar_chart(_("Borda score per item"), rows, _number, hidden))
        _table(
            document,
            [_("Item"), _("Borda score"), _("Mean rank")],
            [
                [item.label, _number(item.ranking.borda), _number(item.ranking.mean_rank)]
                if item.ranking
                else [item.label, hidden, hidden]
                for item in items
            ],
        )
    elif results.method == "points":
        rows = [(item.label, item.points.budget_share if item.points else None) for item in items]
        _picture(document, _bar_chart(_("Share of all points per item"), rows, _percent, hidden))
        _table(
            document,
            [_("Item"), _("Points in total"), _("Share of the budget")],
            [
                [item.label, _number(item.points.total, 0), _percent(item.points.budget_share)]
                if item.points
                else [item.label, hidden, hidden]
                for item in items
            ],
        )
    elif any(item.distribution is not None for item in items) or results.kind == "consultation":
        _ratings(document, round_, results, items, hidden)
    elif results.aspects:
        rows = [(item.label, item.authors) for item in results.items]
        _picture(document, _bar_chart(_("People who wrote about each item"), rows, _whole, hidden))
        _table(
            document,
            [_("Item"), _("People")] + [str(label) for _name, label in results.aspects],
            [
                [item.label, hidden] + [""] * len(results.aspects)
                if item.suppressed
                else [item.label, _whole(item.authors)]
                + [_whole(item.texts[name]) for name, _label in results.aspects]
                for item in results.items
            ],
        )
    else:
        document.add_paragraph(
            ngettext(
                "%(num)d contribution was written.",
                "%(num)d contributions were written.",
                results.comments,
            )
        )


def _ratings(document, round_, results, items, hidden: str) -> None:
    scale = get_kind(round_.kind).scale()
    rows = [(item.label, None if item.suppressed else item.distribution) for item in items]
    _picture(document, _distribution_chart(_("Distribution of answers per item"), rows, scale))
    _table(
        document,
        [_("Item"), _("Answers"), _("Median"), _("Mean"), _("Share 4–5"), _("Verdict")],
        [
            [item.label, hidden, "", "", "", ""]
            if item.suppressed
            else [
                item.label,
                _whole(item.ratings.n),
                _number(item.ratings.median),
                _number(item.ratings.mean, 2),
                _percent(item.ratings.share_agree),
                str(item.verdict_label or ""),
            ]
            for item in items
        ],
    )


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


def _bar_chart(title: str, rows, value_format, hidden_text: str) -> bytes:
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


def _distribution_chart(title: str, rows, scale) -> bytes:
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
    axes.xaxis.set_major_formatter(lambda value, _position: _percent(value))
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=len(scale), frameon=False)
    axes.set_title(title, color=TEXT_COLOUR, parse_math=False)
    return _png(figure)


def _picture(document, png: bytes) -> None:
    document.add_picture(io.BytesIO(png), width=CHART_WIDTH)


# --- themes, values, coverage -------------------------------------------------------------------


def _themes(document, contents: ReportContents) -> None:
    document.add_heading(_("Themes"), level=1)
    if not contents.themes:
        document.add_paragraph(_("No themes yet."))
        return
    _table(
        document,
        [_("Theme"), _("Contributions"), _("Participants")],
        [
            [theme["label"], _whole(theme["contributions"]), _whole(theme["participants"])]
            for theme in contents.themes
        ],
    )


def _values(document, contents: ReportContents) -> None:
    document.add_heading(_("Final values and where they come from"), level=1)
    if not contents.traces:
        document.add_paragraph(_("No final values yet."))
    for trace in contents.traces:
        _value(document, trace)
    if contents.dropped:
        document.add_heading(_("Proposals set aside"), level=1)
        for proposal in contents.dropped:
            line = proposal.title + (f": {proposal.change_note}" if proposal.change_note else "")
            document.add_paragraph(line, style="List Bullet")


def _value(document, trace) -> None:
    """One final value with "why this value?": wording, consultation, figures, themes, quotes."""
    proposal = trace.proposal
    document.add_heading(proposal.title, level=2)
    described = [forms.label(proposal.kind), forms.label(proposal.status)]
    if proposal.perspective:
        described.insert(1, forms.label(proposal.perspective))
    document.add_paragraph(" · ".join(described))
    if proposal.text:
        document.add_paragraph(proposal.text)
    if proposal.consulted_title and proposal.consulted_title != proposal.title:
        document.add_paragraph(
            _("The consulted draft was called “%(title)s”.", title=proposal.consulted_title)
        )
    if proposal.outcome and proposal.outcome.respondents:
        document.add_paragraph(
            _(
                "%(count)s people rated the draft in “%(round)s”.",
                count=_whole(proposal.outcome.respondents),
                round=proposal.outcome.round_title,
            )
        )
    if proposal.change_note:
        document.add_heading(_("What changed, and why"), level=3)
        document.add_paragraph(proposal.change_note)
    document.add_heading(_("Where it comes from"), level=3)
    too_few = _("too few to show")
    for label, value in (
        (_("Contributions behind it"), trace.contributions),
        (_("Participants behind it"), trace.participants),
    ):
        shown = too_few if value is None else _whole(value)
        document.add_paragraph(f"{label}: {shown}", style="List Bullet")
    if trace.withdrawn:
        document.add_paragraph(
            ngettext(
                "%(num)d text that this was built on was later withdrawn by its author.",
                "%(num)d texts that this was built on were later withdrawn by their authors.",
                trace.withdrawn,
            )
        )
    for theme in trace.themes:
        _theme_behind(document, theme)


def _theme_behind(document, theme) -> None:
    """A theme behind a value: its size once large enough, lost sources, allowed quotes."""
    document.add_heading(theme.label, level=4)
    if theme.contributions is None:
        size = _("Fewer contributors than can be shown without risk to anonymity.")
    else:
        size = _(
            "%(contributions)s contributions from %(participants)s participants",
            contributions=_whole(theme.contributions),
            participants=_whole(theme.participants),
        )
    document.add_paragraph(size)
    if theme.withdrawn:
        document.add_paragraph(
            ngettext(
                "%(num)d text placed here was later withdrawn by its author.",
                "%(num)d texts placed here were later withdrawn by their authors.",
                theme.withdrawn,
            )
        )
    for quote in theme.quotes:
        document.add_paragraph(quote, style="Quote")


def _coverage(document, dialogue: Dialogue, contents: ReportContents) -> None:
    """Coverage as management sees it: counts of small themes hidden, no uncovered texts."""
    result = coverage(contents.graph, dialogue)
    document.add_heading(_("Coverage"), level=1)
    of_all = _(
        "%(reached)s of %(total)s",
        reached=_whole(result.reached_contributions),
        total=_whole(result.contributions),
    )
    document.add_paragraph(
        f"{_('Contributions that reach a final value')}: "
        f"{_percent(result.share_contributions)} ({of_all})"
    )
    document.add_paragraph(
        f"{_('Participants whose input reaches a final value')}: "
        f"{_percent(result.share_participants)}"
    )
    if result.rounds:
        _table(
            document,
            [_("Round"), _("Contributions"), _("Reach a final value")],
            [[r.title, _whole(r.contributions), _whole(r.reached)] for r in result.rounds],
        )
    document.add_heading(_("Critical factors to follow up"), level=2)
    document.add_paragraph(_("Themes that reach no final value"))
    if not result.themes:
        document.add_paragraph(_("Every theme informs a final value."))
    for theme in result.themes:
        size = (
            ngettext("%(num)d contribution", "%(num)d contributions", theme.contributions)
            if theme.participants is not None
            else _("fewer contributors than can be shown")
        )
        line = f"{theme.label} ({theme.round_title} · {size})"
        if theme.mark:
            line += f": {forms.label(theme.mark.status)}"
            if theme.mark.reason:
                line += f" – {theme.mark.reason}"
        document.add_paragraph(line, style="List Bullet")
