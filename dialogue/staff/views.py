"""Staff views. Counts for every staff role; raw contribution text for the consultant only."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template, request
from flask_login import login_required

from dialogue.core.access import member_or_404, require_roles, round_or_404
from dialogue.core.clock import utcnow
from dialogue.core.models import Role, RoundState
from dialogue.staff.queries import PAGE_SIZE, contributions_page
from rounds.results.participation import round_participation

bp = Blueprint("staff", __name__, url_prefix="/d/<slug>/staff")

STAFF_ROLES = (Role.CONSULTANT, Role.MANAGEMENT, Role.ADMIN)


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
    rows, total, more = contributions_page(
        round_, query, page, _uuid_arg("after"), _uuid_arg("before")
    )
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
