"""Results views: a round's aggregated results, and publishing them.

Staff (consultant, management, admin) see a closed round's results with breakdowns by group;
only the consultant also sees the raw texts. While a round is open, they see only about how many
have answered (``rounds.results.cached.live_results``). Participants see a round's results once
it has closed and been published; before that the page does not exist for them (404), so a
participant cannot tell an unpublished round from a missing one.
"""

from __future__ import annotations

import math

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from dialogue.core import charts
from dialogue.core.access import member_or_404, require_roles, round_or_404
from dialogue.core.clock import utcnow
from dialogue.core.i18n import page_language
from dialogue.core.models import Role, RoundState
from dialogue.core.views import attempt
from dialogue.fingerprints.jobs import record_later
from dialogue.results.queries import plain_summary
from dialogue.synthesis.queries.feedback import round_themes
from rounds import get_kind
from rounds.lifecycle.editing import set_published
from rounds.results import delphi
from rounds.results.cached import cached_results
from rounds.results.questions import question_results

bp = Blueprint("results", __name__, url_prefix="/d/<slug>/rounds/<int:round_id>/results")

STAFF_ROLES = (Role.CONSULTANT, Role.MANAGEMENT, Role.ADMIN)
PUBLISHERS = (Role.CONSULTANT, Role.ADMIN)


def fmt_number(value, digits: int = 1) -> str:
    """A number in the reader's language (decimal comma in Danish); a dash for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0")


def fmt_percent(value) -> str:
    """A share as a whole percentage in the reader's language."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format_percent(value, format="#,##0 %")


def fmt_whole(value) -> str:
    """A count or total without decimals."""
    return fmt_number(value, 0)


def chart_rows(items, path: str) -> list[tuple[str, object]]:
    """(label, value) per item for a chart, following a dotted attribute path; None if hidden."""
    rows = []
    for item in items:
        value = item
        for name in path.split("."):
            value = getattr(value, name, None) if value is not None else None
        rows.append((item.label, value))
    return rows


def template_helpers() -> dict:
    """Helpers for results and feedback templates, wherever they are included."""
    return {
        "charts": charts,
        "fmt_number": fmt_number,
        "fmt_percent": fmt_percent,
        "fmt_whole": fmt_whole,
        "chart_rows": chart_rows,
        "kind_of": lambda round_: get_kind(round_.kind),
        "delphi": delphi,
        "plain_summary": plain_summary,
        "theme_feedback": round_themes,
    }


def visible_to_participants(round_, now) -> bool:
    """Published and closed: the only results a participant may see."""
    return round_.is_published and round_.state_at(now) is RoundState.CLOSED


@bp.route("/")
@login_required
def round_results(slug: str, round_id: int):
    """The results of one round, for staff always and for participants once published."""
    membership = member_or_404(slug)
    round_ = round_or_404(membership, round_id)
    kind = get_kind(round_.kind)
    now = utcnow()
    is_staff = membership.role.is_staff
    if kind is None or (not is_staff and not visible_to_participants(round_, now)):
        abort(404)
    results = cached_results(round_, staff=is_staff)
    page = render_template(
        "results/round.html",
        membership=membership,
        dialogue=membership.dialogue,
        round_=round_,
        state=round_.state_at(now),
        RoundState=RoundState,
        kind=kind,
        results=results,
        # An open round's texts reach the consultant in batches, in the list of contributions.
        texts=kind.texts(round_)
        if membership.role is Role.CONSULTANT and round_.state_at(now) is RoundState.CLOSED
        else None,
        can_publish=membership.role in PUBLISHERS,
        publish_form=FlaskForm(),
        question_results=question_results(
            round_,
            language=page_language(),
            now=now,
            by_band=is_staff,
            with_texts=membership.role is Role.CONSULTANT,
        ),
    )
    # Accepted, not done: a job is computing the results, and the page says so.
    return page, 202 if results.pending else 200


@bp.route("/publish", methods=["POST"])
@login_required
def publish(slug: str, round_id: int):
    """Publish a closed round's results to its participants."""
    return _set_published(slug, round_id, True)


@bp.route("/unpublish", methods=["POST"])
@login_required
def unpublish(slug: str, round_id: int):
    """Withdraw published results, e.g. to correct a round's items first."""
    return _set_published(slug, round_id, False)


def _set_published(slug: str, round_id: int, published: bool):
    membership = require_roles(member_or_404(slug), *PUBLISHERS)
    round_ = round_or_404(membership, round_id)
    if not FlaskForm().validate_on_submit():  # CSRF; the app refuses a bad token already
        abort(400)
    now, newly = utcnow(), published and not round_.is_published
    outcome = attempt(lambda: set_published(round_, published, actor_id=current_user.id, now=now))
    if outcome.message is not None:
        flash(str(outcome.message), "error")
        return redirect(url_for(".round_results", slug=slug, round_id=round_id), 303)
    flash(
        _("The results are published to the participants.")
        if published
        else _("The results are no longer shown to the participants."),
        "success",
    )
    if published and not record_later(round_, now=now, actor_id=current_user.id, newly=newly):
        flash(
            _(
                "The fingerprint of an earlier publication is still being computed. Publish "
                "again in a minute to record one for this publication."
            ),
            "info",
        )
    return redirect(url_for(".round_results", slug=slug, round_id=round_id), 303)
