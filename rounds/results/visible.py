"""The visible contributions of a round as light rows, read once per results computation."""

from __future__ import annotations

import json
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import String, Text, cast, func, select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, ModerationState, Round
from dialogue.core.models.question import kind_input


class VisibleRow:
    """One visible contribution as the aggregations read it (no ORM object).

    The id travels as text and becomes a ``uuid.UUID`` only when asked for: building a UUID
    costs more than the rest of the row, and only the theme analysis needs it.
    """

    __slots__ = ("_id", "author", "body", "data", "target")

    def __init__(self, id_text: str, author: str, body, data, target) -> None:
        self._id, self.author, self.body, self.data, self.target = (
            id_text,
            author,
            body,
            data,
            target,
        )

    @property
    def id(self) -> uuid.UUID:
        """The contribution's id."""
        return uuid.UUID(self._id)


#: Within :func:`computing_results`, each round's visible rows are read once, not per use.
_ROWS_MEMO: ContextVar[dict | None] = ContextVar("visible_rows_memo", default=None)


@contextmanager
def computing_results():
    """Share :func:`visible_contributions` between the steps of one computation.

    A kind's results may read the same round's rows two or three times (answers, comments,
    the round it repeats); at a third of a million rows each read costs seconds.
    """
    token = _ROWS_MEMO.set({})
    try:
        yield
    finally:
        _ROWS_MEMO.reset(token)


def visible_contributions(round_: Round) -> list[VisibleRow]:
    """The round's contributions that moderation lets through, in a stable, meaningless order.

    Text answers to the round's extra questions are not the kind's input and are left out
    (``rounds.results.questions`` counts them).

    Light rows (``id``, ``author``, ``body``, ``data``, ``target``), not ORM objects: a closed
    round may hold a million of them. ``data`` is read as text and decoded once per distinct
    value (answers repeat: a rating round has a handful of distinct ones); treat it as
    read-only.
    """
    memo = _ROWS_MEMO.get()
    if memo is not None and round_.id in memo:
        return memo[round_.id]
    decoded: dict[str, Any] = {}
    rows = []
    for cid, author, body, data, target in Session.execute(
        select(
            cast(Contribution.id, String),
            Contribution.author,
            Contribution.body,
            cast(Contribution.data, Text),
            Contribution.target,
        )
        .where(
            Contribution.round_id == round_.id,
            Contribution.moderation == ModerationState.VISIBLE,
            kind_input(),
        )
        .order_by(Contribution.id)
    ):
        if data is not None:
            value = decoded.get(data)
            if value is None:
                value = decoded[data] = json.loads(data)
            data = value
        rows.append(VisibleRow(cid, author, body, data, target))
    if memo is not None:
        memo[round_.id] = rows
    return rows


def visible_authors(round_: Round) -> list[str]:
    """The distinct pseudonyms behind the round's visible contributions (an index-only scan)."""
    return list(
        Session.scalars(
            select(Contribution.author)
            .where(
                Contribution.round_id == round_.id,
                Contribution.moderation == ModerationState.VISIBLE,
                kind_input(),
            )
            .distinct()
        )
    )


def count_visible(round_: Round, *, with_text: bool = False) -> int:
    """How many visible contributions the round has (with a text only, if asked)."""
    statement = (
        select(func.count())
        .select_from(Contribution)
        .where(
            Contribution.round_id == round_.id,
            Contribution.moderation == ModerationState.VISIBLE,
            kind_input(),
        )
    )
    if with_text:
        statement = statement.where(Contribution.body.is_not(None))
    return Session.scalar(statement)
