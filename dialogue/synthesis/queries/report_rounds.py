"""The Word report's rounds: dates, participation and each round's results with their charts."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from dialogue.core.i18n import local_datetime
from dialogue.core.models import Dialogue
from dialogue.synthesis.queries import report_layout as layout
from dialogue.synthesis.queries.report import ReportContents
from rounds import get_kind
from rounds.results.participation import round_participation

# --- rounds -------------------------------------------------------------------------------------


def write_rounds(document, dialogue: Dialogue, contents: ReportContents) -> None:
    """Each round with its dates, participation and results."""
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
        took_part = layout.whole(participation.contributors)
    document.add_paragraph(
        _(
            "Invited: %(invited)s. Took part: %(took_part)s. Contributions: %(contributions)s.",
            invited=layout.whole(participation.invited),
            took_part=took_part,
            contributions=layout.whole(participation.contributions),
        )
    )


def _results(document, round_, results) -> None:
    if _no_results(document, results):
        return
    document.add_paragraph(
        ngettext("%(num)d person answered.", "%(num)d people answered.", results.respondents)
    )
    items = results.ordered_items
    hidden = _("fewer than %(k)d", k=results.min_group_size)
    if results.method == "rank":
        _ranks(document, items, hidden)
    elif results.method == "points":
        _points(document, items, hidden)
    elif any(item.distribution is not None for item in items) or results.kind == "consultation":
        _ratings(document, round_, results, items, hidden)
    elif results.aspects:
        _aspects(document, results, hidden)
    else:
        document.add_paragraph(
            ngettext(
                "%(num)d contribution was written.",
                "%(num)d contributions were written.",
                results.comments,
            )
        )


def _no_results(document, results) -> bool:
    """Say why the round shows no results (pending, open, too few people); False if it does."""
    k = results.min_group_size
    if results.pending:
        document.add_paragraph(
            _("The round has closed. Its results are being computed and will appear here shortly.")
        )
        return True
    if results.live:
        document.add_paragraph(_("The results appear when the round closes."))
        return True
    if results.suppressed:
        document.add_paragraph(
            _(
                "Fewer than %(k)d people answered, so no results are shown, to keep everyone "
                "anonymous.",
                k=k,
            )
        )
        return True
    return False


def _ranks(document, items, hidden: str) -> None:
    rows = [(item.label, item.ranking.borda if item.ranking else None) for item in items]
    layout.picture(
        document,
        layout.bar_chart(_("Borda score per item"), rows, layout.number, hidden),
    )
    layout.table(
        document,
        [_("Item"), _("Borda score"), _("Mean rank")],
        [
            [
                item.label,
                layout.number(item.ranking.borda),
                layout.number(item.ranking.mean_rank),
            ]
            if item.ranking
            else [item.label, hidden, hidden]
            for item in items
        ],
    )


def _points(document, items, hidden: str) -> None:
    rows = [(item.label, item.points.budget_share if item.points else None) for item in items]
    layout.picture(
        document,
        layout.bar_chart(_("Share of all points per item"), rows, layout.percent, hidden),
    )
    layout.table(
        document,
        [_("Item"), _("Points in total"), _("Share of the budget")],
        [
            [
                item.label,
                layout.number(item.points.total, 0),
                layout.percent(item.points.budget_share),
            ]
            if item.points
            else [item.label, hidden, hidden]
            for item in items
        ],
    )


def _aspects(document, results, hidden: str) -> None:
    rows = [(item.label, item.authors) for item in results.items]
    layout.picture(
        document,
        layout.bar_chart(_("People who wrote about each item"), rows, layout.whole, hidden),
    )
    layout.table(
        document,
        [_("Item"), _("People")] + [str(label) for _name, label in results.aspects],
        [
            [item.label, hidden] + [""] * len(results.aspects)
            if item.suppressed
            else [item.label, layout.whole(item.authors)]
            + [layout.whole(item.texts[name]) for name, _label in results.aspects]
            for item in results.items
        ],
    )


def _ratings(document, round_, results, items, hidden: str) -> None:
    scale = get_kind(round_.kind).scale()
    rows = [(item.label, None if item.suppressed else item.distribution) for item in items]
    layout.picture(
        document, layout.distribution_chart(_("Distribution of answers per item"), rows, scale)
    )
    layout.table(
        document,
        [_("Item"), _("Answers"), _("Median"), _("Mean"), _("Share 4–5"), _("Verdict")],
        [
            [item.label, hidden, "", "", "", ""]
            if item.suppressed
            else [
                item.label,
                layout.whole(item.ratings.n),
                layout.number(item.ratings.median),
                layout.number(item.ratings.mean, 2),
                layout.percent(item.ratings.share_agree),
                str(item.verdict_label or ""),
            ]
            for item in items
        ],
    )
