"""Staff views. Counts for every staff role; raw contribution text for the consultant only."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template, request
from flask_login import login_required
from sqlalchemy import func, select

from dialogue.core.access import member_or_404, require_roles, round_or_404
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Role, RoundState
from dialogue.core.results_cache import is_cacheable
from rounds.release import shown_to_staff
from rounds.results.participation import round_participation

bp = Blueprint("staff", __name__, url_prefix="/d/<slug>/staff")

STAFF_ROLES = (Role.CONSULTANT, Role.MANAGEMENT, Role.ADMIN)
PAGE_SIZE = 50
#: Searches count at most this many matches; beyond, the pager offers one more page at a time.
COUNT_LIMIT = 1_000


@bp.route("/rounds/<int:round_id>/")
@login_required
def round_overview(slug: str, round_id: int):
    """A round's participation, for every staff role."""
    membership = require_roles(member_or_404(slug), *STAFF_ROLES)
    round_ = round_or_404(membership, round_id)
    return render_template(
        "staff/round_overview.html",
        membership=membership,
        dialogue=membership.dialogue,
        round_=round_,
        state=round_.state_at(utcnow()),
        RoundState=RoundState,
        participation=round_participation(round_),
    )


@bp.route("/rounds/<int:round_id>/contributions")
@login_required
def contributions(slug: str, round_id: int):
    """Every contribution of a round, for the consultant: text only, in no telling order.

    Ordered by the random id, so the list says nothing about who wrote first or last. While
    the round is open, only released input is listed: it arrives in batches of at least the
    minimum group size of authors (``rounds.release``), never one text at a time.
    """
    membership = require_roles(member_or_404(slug), Role.CONSULTANT)
    round_ = round_or_404(membership, round_id)
    query = request.args.get("q", "").strip()[:200]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
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
    rows = _page(statement, page, _uuid_arg("after"), _uuid_arg("before"))
    return render_template(
        "staff/contributions.html",
        membership=membership,
        dialogue=membership.dialogue,
        round_=round_,
        contributions=rows,
        query=query,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1, page + 1 if more else 1),
        total=total,
        more=more,
        batched=round_.state_at(utcnow()) is not RoundState.CLOSED,
    )


def _uuid_arg(name: str) -> uuid.UUID | None:
    """A contribution id from the query string; anything else counts as absent."""
    try:
        return uuid.UUID(request.args.get(name, ""))
    except ValueError:
        return None


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
