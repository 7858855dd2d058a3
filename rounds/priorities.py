"""A participant's priorities read from a form: a ranking, points or 1–5 ratings, item by item.

Whatever is wrong is refused with a message that names the item, for the participant to read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l

from rounds.errors import SubmissionRejected
from rounds.items import Item
from rounds.structured import refuse_unknown_items


def parse_ranking(items: Sequence[Item], places: Sequence[str | None], top_k: int) -> list[str]:
    """Item keys best first from the places a participant filled in.

    Places must be filled from the first one on without gaps; an item may appear once, and
    only items of the round may appear at all.
    """
    chosen = [(place or "").strip() for place in places]
    while chosen and not chosen[-1]:
        chosen.pop()
    if not chosen:
        raise SubmissionRejected(_l("Please choose at least your first priority."))
    if len(chosen) > top_k:
        raise SubmissionRejected(_l("Please choose at most %(count)d items.", count=top_k))
    if "" in chosen:
        raise SubmissionRejected(
            _l("Please fill in the places in order, without leaving one empty.")
        )
    refuse_unknown_items(items, chosen)
    if len(set(chosen)) != len(chosen):
        labels = {item.key: item.label for item in items}
        twice = next(key for key in chosen if chosen.count(key) > 1)
        raise SubmissionRejected(
            _l(
                "You chose “%(label)s” more than once. Each item can have one place.",
                label=labels[twice],
            )
        )
    return chosen


def parse_points(items: Sequence[Item], given: Mapping[str, Any], budget: int) -> dict[str, int]:
    """Whole, non-negative points per item that add up to exactly the budget."""
    refuse_unknown_items(items, given)
    points = {}
    for item in items:
        raw = given.get(item.key)
        text = str(raw).strip() if raw is not None else ""
        try:
            value = int(text) if text else 0
        except ValueError:
            raise SubmissionRejected(
                _l("Please give whole points for “%(label)s”.", label=item.label),
                field=f"{item.field}_points",
            ) from None
        if value < 0:
            raise SubmissionRejected(
                _l("Points cannot be negative (“%(label)s”).", label=item.label),
                field=f"{item.field}_points",
            )
        points[item.key] = value
    total = sum(points.values())
    if total != budget:
        raise SubmissionRejected(
            _l(
                "Your points add up to %(total)d. Please distribute exactly %(budget)d points.",
                total=total,
                budget=budget,
            )
        )
    return points


def parse_ratings(
    items: Sequence[Item], given: Mapping[str, Any], *, field_suffix: str = "rating"
) -> dict[str, int]:
    """Ratings 1–5 by item key; an empty rating means the item was skipped."""
    refuse_unknown_items(items, given)
    ratings = {}
    for item in items:
        raw = given.get(item.key)
        text = str(raw).strip() if raw is not None else ""
        if not text:
            continue
        if text not in {"1", "2", "3", "4", "5"}:
            raise SubmissionRejected(
                _l("Please rate “%(label)s” from 1 to 5.", label=item.label),
                field=f"{item.field}_{field_suffix}",
            )
        ratings[item.key] = int(text)
    return ratings


def rating_scale():
    """The 1–5 importance scale with its words, for forms and charts."""
    return (
        (1, _l("Not important")),
        (2, _l("Less important")),
        (3, _l("Somewhat important")),
        (4, _l("Important")),
        (5, _l("Very important")),
    )
