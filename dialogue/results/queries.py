"""One or two plain sentences that open a round's results, computed from the shown figures.

Participants and the public should learn what the group said before they meet Borda scores,
Kendall's W or quartiles; the statistics follow, folded, for those who want them. Only items
whose numbers are shown (not suppressed) are named, so the summary tells nothing the tables
below do not.
"""

from __future__ import annotations

import math

from flask_babel import format_percent, ngettext
from flask_babel import gettext as _

from rounds.results.records import ItemResult, RoundResults


def _share(value: float) -> str:
    return format_percent(value, format="#,##0 %")


def _agreement(w: float) -> str:
    """Kendall's W in words, by the usual reading of its size (0.1 weak, 0.3 fair, 0.6 strong)."""
    if w >= 0.6:
        return _("The group largely agreed on the order.")
    if w >= 0.3:
        return _("The group partly agreed on the order.")
    if w >= 0.1:
        return _("The group agreed little on the order.")
    return _("The group did not agree on an order.")


def _ranking(results: RoundResults, shown: list[ItemResult]) -> list[str]:
    ranked = [item for item in results.ordered_items if item in shown and item.ranking]
    if not ranked:
        return []
    if len(ranked) == 1:
        sentences = [_("“%(first)s” came first overall.", first=ranked[0].label)]
    else:
        sentences = [
            _(
                "“%(first)s” came first overall, ahead of “%(second)s”.",
                first=ranked[0].label,
                second=ranked[1].label,
            )
        ]
    if results.kendall is not None and not math.isnan(results.kendall.w):
        sentences.append(_agreement(results.kendall.w))
    return sentences


def _points(shown: list[ItemResult]) -> list[str]:
    given = sorted((item for item in shown if item.points), key=lambda item: -item.points.total)
    if not given:
        return []
    first = given[0]
    return [
        _(
            "“%(first)s” got the most points: %(share)s of all points given.",
            first=first.label,
            share=_share(first.points.budget_share),
        )
    ]


def _ratings(shown: list[ItemResult]) -> list[str]:
    rated = [item for item in shown if item.ratings and item.ratings.n]
    if not rated:
        return []
    best = max(rated, key=lambda item: (item.ratings.share_agree, item.ratings.mean))
    sentences = [
        _(
            "“%(item)s” got the highest ratings: %(share)s answered 4 or 5.",
            item=best.label,
            share=_share(best.ratings.share_agree),
        )
    ]
    split = [item for item in rated if item.verdict == "dissensus"]
    agreed = [item for item in rated if item.verdict in ("consensus", "consensus against")]
    if split:
        sentences.append(_("Opinions were divided on “%(item)s”.", item=split[0].label))
    elif agreed:
        sentences.append(
            ngettext(
                "The answers agreed closely on %(num)d of %(total)d items.",
                "The answers agreed closely on %(num)d of %(total)d items.",
                len(agreed),
                total=len(rated),
            )
        )
    return sentences


def _texts(shown: list[ItemResult]) -> list[str]:
    written = [item for item in shown if item.authors]
    if not written:
        return []
    most = max(written, key=lambda item: item.authors)
    return [
        ngettext(
            "Most wrote about “%(item)s” (%(num)d person).",
            "Most wrote about “%(item)s” (%(num)d people).",
            most.authors,
            item=most.label,
        )
    ]


def plain_summary(results: RoundResults, results_template: str) -> str:
    """The round's results in one or two sentences; empty when there is nothing to sum up.

    ``results_template`` is the kind's results template, which says what the figures are.
    """
    if results.live or results.pending or results.suppressed:
        return ""
    shown = [item for item in results.items if not item.suppressed]
    if results_template.endswith("_texts.html"):
        sentences = _texts(shown)
    elif results.method == "rank":
        sentences = _ranking(results, shown)
    elif results.method == "points":
        sentences = _points(shown)
    elif results_template.endswith(("_ratings.html", "_prioritisation.html")):
        sentences = _ratings(shown)
    else:
        sentences = []
    return " ".join(sentences)
