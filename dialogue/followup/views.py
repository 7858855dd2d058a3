"""Follow-up views: progress per final value for every member, tracking and review for staff.

Management and the consultant add initiatives (their own, or promoted from a commitment of the
action round), track critical factors from the coverage view, write progress notes and hold
periodic reviews. Participants and admins read the progress; the public reads it on the value
pages. A refused operation re-renders the page with its message (422) and stores nothing.
"""

from __future__ import annotations

import uuid

from dateutil.relativedelta import relativedelta
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from dialogue.core.access import member_or_404
from dialogue.core.charts import stacked_chart
from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    CoverageMark,
    FollowUp,
    FollowUpReview,
    ModerationState,
    Role,
    Round,
    RoundKind,
)
from dialogue.core.models.followup import FollowUpStatus, ReviewPeriod
from dialogue.core.models.proposal import Proposal, ProposalStatus, VersionStage
from dialogue.core.views import attempt
from dialogue.followup import forms, services
from dialogue.synthesis.queries.proposals import AUTHORS, proposal_or_404, synthesis_member
from dialogue.synthesis.queries.traces import QUOTE_MIN_AUTHORS, proposal_view
from rounds.traceability import load_graph, proposal_id_of

bp = Blueprint("followup", __name__, url_prefix="/d/<slug>/follow-up")

#: Colours of the statuses in the scorecard: grey, blue, green and a muted red, each readable
#: against white and told apart by the legend and the table, not by colour alone.
STATUS_COLOURS = {
    FollowUpStatus.PLANNED: "#6b7280",
    FollowUpStatus.IN_PROGRESS: "#0b5394",
    FollowUpStatus.DONE: "#2e7d32",
    FollowUpStatus.DROPPED: "#a11d1d",
}
#: A value's commitments are listed as text only up to this many (the rest are counted).
COMMITMENT_LIMIT = 200


def _finals(graph):
    return [graph.proposals[i] for i in sorted(graph.final_ids())]


def _overview(membership, *, error=None, forms_used=None, status=200):
    dialogue = membership.dialogue
    graph = load_graph(dialogue)
    items = services.items_of(dialogue)
    under = services.by_value(items)
    finals = _finals(graph)
    initiative = forms.InitiativeForm()
    initiative.proposal_id.choices = [(str(p.id), p.current.title) for p in finals]
    return render_template(
        "followup/overview.html",
        membership=membership,
        dialogue=dialogue,
        values=[(proposal_view(p), under.get(p.id, [])) for p in finals],
        reopened=_reopened(under, {p.id for p in finals}),
        factors=services.critical_factors(dialogue, items) if _is_staff(membership) else [],
        counts=services.counts_by_status(items),
        statuses=list(FollowUpStatus),
        is_staff=_is_staff(membership),
        initiative_form=initiative,
        forms_used=forms_used or {},
        error=error,
    ), status


def _reopened(under, final_ids) -> list[tuple[str, list]]:
    """Initiatives whose value was made final and then reopened, under its last final title.

    They stay tracked while management revises the value; the last final wording is the one
    readers saw, and the draft being written is not theirs to read yet.
    """
    found = []
    for proposal_id in sorted(set(under) - final_ids):
        proposal = Session.get(Proposal, proposal_id)
        final = proposal.version_at(VersionStage.FINAL)
        if proposal.status is ProposalStatus.DRAFT and final is not None:
            found.append((final.title, under[proposal_id]))
    return found


def _is_staff(membership) -> bool:
    return membership.role in AUTHORS


@bp.route("/")
@login_required
def overview(slug: str):
    """Every final value with its initiatives and their progress; staff also track and add."""
    return _overview(member_or_404(slug))


def _attempt(membership, form, key: str, operation, message: str):
    """Validate ``form``, run ``operation`` and commit; or show why nothing was saved (422).

    The overview is shown again with the reason beside the form it concerns. ``operation``
    returns the item or note it wrote, whose item the redirect scrolls to.
    """
    outcome = attempt(operation, form)
    if outcome.message is not None:
        return _overview(membership, error=str(outcome.message), forms_used={key: form}, status=422)
    written = outcome.result
    item_id = getattr(written, "follow_up_id", None) or written.id
    flash(message, "success")
    slug = membership.dialogue.slug
    return redirect(url_for(".overview", slug=slug, _anchor=f"item-{item_id}"), 303)


@bp.route("/initiatives", methods=["POST"])
@login_required
def add_initiative(slug: str):
    """Management's own initiative under a final value."""
    membership = synthesis_member(slug)
    form = forms.InitiativeForm()
    return _attempt(
        membership,
        form,
        "initiative",
        lambda: services.add_initiative(
            proposal_or_404(membership, _int(form.proposal_id.data)),
            title=form.title.data,
            owner_unit=form.owner_unit.data,
            description=form.description.data or "",
            status=FollowUpStatus(form.status.data),
            actor_id=current_user.id,
            day=services.local_today(membership.dialogue),
        ),
        _("The initiative is added."),
    )


def _int(value) -> int:
    if not str(value or "").isdigit():
        abort(404)
    return int(value)


@bp.route("/items/<int:item_id>/notes", methods=["POST"])
@login_required
def add_note(slug: str, item_id: int):
    """A progress note, with the item's status after it."""
    membership = synthesis_member(slug)
    item = Session.get(FollowUp, item_id)
    if item is None or item.dialogue_id != membership.dialogue_id:
        abort(404)
    form = forms.NoteForm()
    return _attempt(
        membership,
        form,
        f"note-{item.id}",
        lambda: services.add_note(
            item,
            status=FollowUpStatus(form.status.data),
            text=form.text.data or "",
            actor_id=current_user.id,
            day=services.local_today(membership.dialogue),
        ),
        _("The note is saved."),
    )


@bp.route("/factors/<int:mark_id>/track", methods=["POST"])
@login_required
def track_factor(slug: str, mark_id: int):
    """Track a critical factor from the coverage view like an initiative."""
    membership = synthesis_member(slug)
    mark = Session.get(CoverageMark, mark_id)
    if mark is None or mark.dialogue_id != membership.dialogue_id:
        abort(404)
    form = forms.ItemForm()
    return _attempt(
        membership,
        form,
        f"factor-{mark.id}",
        lambda: services.track_factor(
            mark,
            title=form.title.data,
            owner_unit=form.owner_unit.data,
            status=FollowUpStatus(form.status.data),
            actor_id=current_user.id,
            day=services.local_today(membership.dialogue),
        ),
        _("The critical factor is tracked."),
    )


# --- commitments of the action round -------------------------------------------------------------


def _commitments(membership, proposal):
    """The value's visible commitments, and whether this member may read their text.

    The consultant reads all input; management reads verbatim text only from a group of at
    least ``QUOTE_MIN_AUTHORS`` distinct authors, as everywhere outside the consultant's view
    (TARGETS A6). Sorted alphabetically, which says nothing about who wrote them or when.
    """
    rows = Session.execute(
        select(Contribution.id, Contribution.body, Contribution.author)
        .join(Round, Round.id == Contribution.round_id)
        .where(
            Round.dialogue_id == membership.dialogue_id,
            Round.kind == RoundKind.ACTION,
            Contribution.target == proposal.item_key,
            Contribution.moderation == ModerationState.VISIBLE,
            Contribution.body.is_not(None),
        )
    ).all()
    authors = len({row.author for row in rows})
    k = membership.dialogue.min_group_size
    readable = membership.role is Role.CONSULTANT or authors >= max(QUOTE_MIN_AUTHORS, k)
    texts = sorted(((row.id, row.body) for row in rows), key=lambda r: r[1].casefold())
    return texts if readable else [], len(rows)


@bp.route("/values/<int:proposal_id>/commitments")
@login_required
def commitments(slug: str, proposal_id: int):
    """A final value's commitments from the action round, each one a possible initiative."""
    membership = synthesis_member(slug)
    proposal = proposal_or_404(membership, proposal_id)
    texts, count = _commitments(membership, proposal)
    return render_template(
        "followup/commitments.html",
        membership=membership,
        dialogue=membership.dialogue,
        proposal=proposal_view(proposal),
        texts=texts[:COMMITMENT_LIMIT],
        count=count,
        limit=COMMITMENT_LIMIT,
        form=forms.ItemForm(),
    )


@bp.route("/commitments/<uuid:commitment_id>/promote", methods=["POST"])
@login_required
def promote(slug: str, commitment_id: uuid.UUID):
    """Make one commitment an initiative of the value it was written for."""
    membership = synthesis_member(slug)
    commitment = Session.get(Contribution, commitment_id)
    if commitment is None or commitment.round.dialogue_id != membership.dialogue_id:
        abort(404)
    proposal = proposal_or_404(membership, proposal_id_of(commitment.target) or 0)
    texts, _count = _commitments(membership, proposal)
    if commitment.id not in {cid for cid, _text in texts}:
        abort(404)  # not readable for this member, so not promotable by them either
    form = forms.ItemForm()
    return _attempt(
        membership,
        form,
        "promote",
        lambda: services.add_initiative(
            proposal,
            title=form.title.data,
            owner_unit=form.owner_unit.data,
            status=FollowUpStatus(form.status.data),
            commitment=commitment,
            actor_id=current_user.id,
            day=services.local_today(membership.dialogue),
        ),
        _("The commitment is now an initiative."),
    )


# --- periodic review ---------------------------------------------------------------------------


def _period(value: str | None) -> ReviewPeriod:
    try:
        return ReviewPeriod(value or ReviewPeriod.QUARTER.value)
    except ValueError:
        return ReviewPeriod.QUARTER


def _render_review(membership, *, since, until, period, recorded=None, status=200, error=None):
    dialogue = membership.dialogue
    graph = load_graph(dialogue)
    titles = {p.id: p.current.title for p in _finals(graph)}
    review = services.build_review(dialogue, since, until, titles)
    statuses = list(FollowUpStatus)
    legend = [(forms.label(s), STATUS_COLOURS[s]) for s in statuses]
    chart = stacked_chart(
        "scorecard-chart",
        _("Status of the initiatives per value"),
        [(label, [counts[s] for s in statuses]) for label, counts in review.scorecard],
        legend,
        labelled_by="scorecard-caption",
    )
    form = forms.ReviewForm(period=period.value)
    return render_template(
        "followup/review.html",
        membership=membership,
        dialogue=dialogue,
        review=review,
        value_titles=titles,
        statuses=statuses,
        chart=chart,
        period=period,
        periods=list(ReviewPeriod),
        recorded=recorded,
        last=services.last_review(dialogue),
        next_due=until + relativedelta(months=period.months),
        form=form,
        error=error,
    ), status


@bp.route("/review")
@login_required
def review(slug: str):
    """The review due now: what moved and what did not since the last one, as one page."""
    membership = synthesis_member(slug)
    period = _period(request.args.get("period"))
    today = services.local_today(membership.dialogue)
    since = services.review_start(membership.dialogue, period, today)
    return _render_review(membership, since=since, until=today, period=period)


@bp.route("/reviews", methods=["POST"])
@login_required
def record_review(slug: str):
    """Record today's review, so that the next one covers the time from today."""
    membership = synthesis_member(slug)
    form = forms.ReviewForm()
    today = services.local_today(membership.dialogue)
    outcome = attempt(
        lambda: services.record_review(
            membership.dialogue,
            period=ReviewPeriod(form.period.data),
            actor_id=current_user.id,
            day=today,
        ),
        form,
    )
    if outcome.message is not None:
        # An invalid form has no period to show again; a refused review has its own.
        period = ReviewPeriod.QUARTER if outcome.refusal is None else ReviewPeriod(form.period.data)
        since = services.review_start(membership.dialogue, period, today)
        return _render_review(
            membership, since=since, until=today, period=period, status=422, error=outcome.message
        )
    recorded = outcome.result
    flash(_("The review is recorded."), "success")
    return redirect(url_for(".past_review", slug=slug, review_id=recorded.id), 303)


@bp.route("/reviews/<int:review_id>")
@login_required
def past_review(slug: str, review_id: int):
    """A recorded review, as it stood on the day it was held."""
    membership = synthesis_member(slug)
    found = Session.get(FollowUpReview, review_id)
    if found is None or found.dialogue_id != membership.dialogue_id:
        abort(404)
    return _render_review(
        membership,
        since=found.since,
        until=found.held_on,
        period=found.period,
        recorded=found,
    )
