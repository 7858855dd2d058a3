"""Follow-up views of the periodic review: the one due now, recording it, and past ones.

The review prints what moved and what did not since the last one, as a one-page status with a
scorecard per value; staff record it so that the next one starts from that day.
"""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from dialogue.core.charts import stacked_chart
from dialogue.core.db import Session
from dialogue.core.models import (
    FollowUpReview,
)
from dialogue.core.models.followup import FollowUpStatus, ReviewPeriod
from dialogue.core.views import attempt
from dialogue.followup import bp, forms, queries, services
from dialogue.synthesis.queries.proposals import synthesis_member
from rounds.traceability import load_graph

#: Colours of the statuses in the scorecard: grey, blue, green and a muted red, each readable
#: against white and told apart by the legend and the table, not by colour alone.
STATUS_COLOURS = {
    FollowUpStatus.PLANNED: "#6b7280",
    FollowUpStatus.IN_PROGRESS: "#0b5394",
    FollowUpStatus.DONE: "#2e7d32",
    FollowUpStatus.DROPPED: "#a11d1d",
}


def _period(value: str | None) -> ReviewPeriod:
    try:
        return ReviewPeriod(value or ReviewPeriod.QUARTER.value)
    except ValueError:
        return ReviewPeriod.QUARTER


def _render_review(membership, *, since, until, period, recorded=None, status=200, error=None):
    dialogue = membership.dialogue
    graph = load_graph(dialogue)
    titles = {p.id: p.current.title for p in queries.final_values(graph)}
    review = queries.build_review(dialogue, since, until, titles)
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
        last=queries.last_review(dialogue),
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
    today = queries.local_today(membership.dialogue)
    since = queries.review_start(membership.dialogue, period, today)
    return _render_review(membership, since=since, until=today, period=period)


@bp.route("/reviews", methods=["POST"])
@login_required
def record_review(slug: str):
    """Record today's review, so that the next one covers the time from today."""
    membership = synthesis_member(slug)
    form = forms.ReviewForm()
    today = queries.local_today(membership.dialogue)
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
        since = queries.review_start(membership.dialogue, period, today)
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
