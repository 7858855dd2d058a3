"""What the staff pages read: a round's contributions for the consultant, page by page."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Round
from dialogue.core.results_cache.store import is_cacheable
from rounds.release import shown_to_staff
from rounds.results.participation import round_participation

PAGE_SIZE = 50
#: Searches count at most this many matches; beyond, the pager offers one more page at a time.
COUNT_LIMIT = 1_000


def contributions_page(
    round_: Round, query: str, page: int, after: uuid.UUID | None, before: uuid.UUID | None
) -> tuple[list[Contribution], int, bool]:
    """One page of the round's contributions shown to staff, those matching ``query`` if given.

    Also the number of them (at most ``COUNT_LIMIT`` when searching), and whether a search found
    more than that.
    """
    statement = select(Contribution).where(
        Contribution.round_id == round_.id, shown_to_staff(round_, utcnow())
    )
    more = False
    if query:
        statement = statement.where(Contribution.body.ilike(f"%{query}%"))
        # Count at most COUNT_LIMIT matches: a common word among a million texts is not worth
        # a full count, and the pager only needs to know that there are more pages.
        total = Session.scalar(
            select(func.count()).select_from(statement.limit(COUNT_LIMIT + 1).subquery())
        )
        more = total > COUNT_LIMIT
        total = min(total, COUNT_LIMIT)
    elif is_cacheable(round_) and (participation := round_participation(round_)) is not None:
        # A closed round's count is part of its participation figures, stored once.
        total = participation.contributions
    else:
        total = Session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = _page(statement, page, after, before)
    return rows, total, more


def _page(statement, page: int, after: uuid.UUID | None, before: uuid.UUID | None) -> list:
    """One page, read by key from the id ending the previous page or starting the next.

    The links carry that id: OFFSET skips every earlier row of the index, half a second at page
    500 of a million texts. A typed page number without one still works by OFFSET.
    """
    if after is not None:
        statement = statement.where(Contribution.id > after)
    elif before is not None:
        backwards = statement.where(Contribution.id < before).order_by(Contribution.id.desc())
        return Session.scalars(backwards.limit(PAGE_SIZE)).all()[::-1]
    else:
        statement = statement.offset((page - 1) * PAGE_SIZE)
    return Session.scalars(statement.order_by(Contribution.id).limit(PAGE_SIZE)).all()
