"""The consultant's report as a Word file (.docx), for editing and handing on.

It holds what the printable report page holds (``dialogue.synthesis.queries.report``: rounds and
their results, themes, final values with "why this value?", proposals set aside), plus participation
per round (``rounds.results.participation``) and coverage with the critical factors still to follow
up (``dialogue.synthesis.queries.coverage``). Every figure comes from those functions, already
suppressed for small groups; this module only lays them out. No contribution text is written except
the quotes "why this value?" allows, and no name, e-mail address or time of anyone.

Its rounds are laid out in :mod:`.report_rounds`, its numbers, tables and charts in
:mod:`.report_layout`.
"""

from __future__ import annotations

import io

from docx import Document
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from dialogue.core.models import Dialogue
from dialogue.synthesis import forms
from dialogue.synthesis.queries import report_layout as layout
from dialogue.synthesis.queries.coverage import coverage
from dialogue.synthesis.queries.report import ReportContents, report_contents
from dialogue.synthesis.queries.report_rounds import write_rounds

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_docx(dialogue: Dialogue) -> bytes:
    """The report of ``dialogue`` as a .docx file, in the dialogue's language."""
    with force_locale(dialogue.language):
        contents = report_contents(dialogue)
        document = Document()
        document.core_properties.title = dialogue.title
        document.add_heading(dialogue.title, level=0)
        if dialogue.description:
            document.add_paragraph(dialogue.description)
        write_rounds(document, dialogue, contents)
        _themes(document, contents)
        _values(document, contents)
        _coverage(document, dialogue, contents)
        buffer = io.BytesIO()
        document.save(buffer)
    return buffer.getvalue()


# --- themes, values, coverage -------------------------------------------------------------------


def _themes(document, contents: ReportContents) -> None:
    document.add_heading(_("Themes"), level=1)
    if not contents.themes:
        document.add_paragraph(_("No themes yet."))
        return
    layout.table(
        document,
        [_("Theme"), _("Contributions"), _("Participants")],
        [
            [
                theme["label"],
                layout.whole(theme["contributions"]),
                layout.whole(theme["participants"]),
            ]
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
                count=layout.whole(proposal.outcome.respondents),
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
        shown = too_few if value is None else layout.whole(value)
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
            contributions=layout.whole(theme.contributions),
            participants=layout.whole(theme.participants),
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
        reached=layout.whole(result.reached_contributions),
        total=layout.whole(result.contributions),
    )
    document.add_paragraph(
        f"{_('Contributions that reach a final value')}: "
        f"{layout.percent(result.share_contributions)} ({of_all})"
    )
    document.add_paragraph(
        f"{_('Participants whose input reaches a final value')}: "
        f"{layout.percent(result.share_participants)}"
    )
    if result.rounds:
        layout.table(
            document,
            [_("Round"), _("Contributions"), _("Reach a final value")],
            [
                [r.title, layout.whole(r.contributions), layout.whole(r.reached)]
                for r in result.rounds
            ],
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
