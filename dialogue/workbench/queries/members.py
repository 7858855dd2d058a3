"""Which texts and themes an edit of the workbench touches, found before it changes them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dialogue.core.db import Session
from dialogue.core.models import Contribution, Round, Theme, ThemeMember
from dialogue.core.models.analysis import ACTIVE_STATES
from rounds import get_kind
from rounds.traceability import chunks


def visible_contributions(round_: Round, ids: Iterable[uuid.UUID], part: str) -> list[Contribution]:
    """The visible texts among `ids` that belong to the round's `part`."""
    ids = list(ids)
    kind = get_kind(round_.kind)
    condition = kind.analysis_condition(round_, part) if kind is not None else None
    if not ids or condition is None:
        return []
    return list(Session.scalars(select(Contribution).where(condition, Contribution.id.in_(ids))))


def themes_holding(
    round_: Round, contribution_ids: set[uuid.UUID], part: str | None = None
) -> list[Theme]:
    """The part's active themes that hold any of the contributions, with their members.

    Found from the placements of those contributions (an index lookup each), and only their
    members loaded, not every theme's: at a million texts that took 20 s for one hidden text.
    """
    holding: set[int] = set()
    for ids in chunks(contribution_ids):
        holding.update(
            Session.scalars(
                select(ThemeMember.theme_id).where(ThemeMember.contribution_id.in_(ids))
            )
        )
    if not holding:
        return []
    query = select(Theme).where(
        Theme.round_id == round_.id, Theme.state.in_(ACTIVE_STATES), Theme.id.in_(holding)
    )
    if part is not None:
        query = query.where(Theme.part == part)
    return list(Session.scalars(query.options(selectinload(Theme.members)).order_by(Theme.id)))
