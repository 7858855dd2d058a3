"""A round's texts grouped by item and aspect, without authors, for the consultant's eyes only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, ModerationState, Round
from dialogue.core.models.question import kind_input
from rounds.items import Item


@dataclass(frozen=True)
class TextGroup:
    """The texts written about one item and aspect, for the consultant's eyes only."""

    item: str | None
    aspect: Any
    texts: tuple[str, ...]


#: Up to this many texts are listed on a results page; larger rounds are read, searched and
#: paged through in the staff contribution list and the theme workbench instead.
RAW_TEXT_LIMIT = 2000


class TextGroups(list):
    """The grouped texts of :func:`raw_texts`; ``too_many`` when the round has too many to list."""

    too_many: bool = False


def raw_texts(
    round_: Round, items: Sequence[Item], aspects: Sequence[tuple[str, Any]] = ()
) -> TextGroups:
    """Every visible text of the round grouped by item and aspect, without authors.

    Within a group texts are sorted alphabetically, which says nothing about who wrote them or
    when. A round with more than ``RAW_TEXT_LIMIT`` texts lists none (``too_many`` is set):
    a page of a million texts helps nobody and would take minutes to build.
    """
    labels = {item.key: item.label for item in items}
    aspect_labels = dict(aspects)
    groups: dict[tuple[str | None, str | None], list[str]] = defaultdict(list)
    rows = Session.execute(
        select(Contribution.target, Contribution.data, Contribution.body)
        .where(
            Contribution.round_id == round_.id,
            Contribution.moderation == ModerationState.VISIBLE,
            Contribution.body.is_not(None),
            kind_input(),
        )
        .limit(RAW_TEXT_LIMIT + 1)
    ).all()
    if len(rows) > RAW_TEXT_LIMIT:
        result = TextGroups()
        result.too_many = True
        return result
    for target, data, body in rows:
        if body:
            groups[(target, (data or {}).get("aspect"))].append(body)
    order = {item.key: index for index, item in enumerate(items)}
    aspect_order = {name: index for index, (name, _label) in enumerate(aspects)}
    keys = sorted(groups, key=lambda g: (order.get(g[0], len(order)), aspect_order.get(g[1], 0)))
    return TextGroups(
        TextGroup(
            labels.get(target), aspect_labels.get(aspect), tuple(sorted(groups[target, aspect]))
        )
        for target, aspect in keys
    )
