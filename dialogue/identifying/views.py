"""The consultant's review of identifying details that got past the participant's warning.

Each flagged detail is shown inside its contribution's text, marked, with its kind; never as
"name X found": the page shows what the text itself says and nothing about who is on the list.
Redacting replaces the detail by a marker in the stored text (see ``rounds.redaction``).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from dialogue.core.access import member_or_404, require_roles, round_or_404
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import IdentifyingSpan, Role, RoundState
from dialogue.core.views import attempt
from rounds.identifying import KIND_LABELS
from rounds.redaction import flagged_in_round, redact

bp = Blueprint(
    "identifying", __name__, url_prefix="/d/<slug>/staff/rounds/<int:round_id>/identifying"
)


def pieces(text: str, spans: list[IdentifyingSpan]) -> list[tuple[str, IdentifyingSpan | None]]:
    """The text cut into plain parts and flagged parts, in order, for marking up."""
    out: list[tuple[str, IdentifyingSpan | None]] = []
    position = 0
    for span in spans:
        if span.span_start < position:
            continue
        out.append((text[position : span.span_start], None))
        out.append((text[span.span_start : span.span_end], span))
        position = span.span_end
    out.append((text[position:], None))
    return [(part, span) for part, span in out if part]


@bp.route("/")
@login_required
def review(slug: str, round_id: int):
    """The round's flagged details, each in its contribution, with a button to redact it."""
    membership = require_roles(member_or_404(slug), Role.CONSULTANT)
    round_ = round_or_404(membership, round_id)
    # While the round is open, only texts released to the staff: in batches (rounds.release).
    closed = round_.state_at(utcnow()) is RoundState.CLOSED
    flagged = [
        (contribution, pieces(contribution.body or "", spans))
        for contribution, spans in flagged_in_round(round_.id)
        if closed or contribution.released
    ]
    return render_template(
        "identifying/review.html",
        membership=membership,
        dialogue=membership.dialogue,
        round_=round_,
        flagged=flagged,
        kind_labels=KIND_LABELS,
        form=FlaskForm(),
    )


@bp.route("/<int:span_id>/redact", methods=["POST"])
@login_required
def redact_span(slug: str, round_id: int, span_id: int):
    """Replace one flagged detail by a marker; the original is kept nowhere."""
    membership = require_roles(member_or_404(slug), Role.CONSULTANT)
    round_ = round_or_404(membership, round_id)
    if not FlaskForm().validate_on_submit():  # CSRF; the app refuses a bad token already
        abort(400)
    span = Session.get(IdentifyingSpan, span_id)
    if span is None or span.contribution.round_id != round_.id:
        flash(_("That detail is no longer flagged: it was redacted or its text changed."), "error")
        return redirect(url_for(".review", slug=slug, round_id=round_id), 303)
    redaction = attempt(lambda: redact(span, actor_id=current_user.id)).result
    flash(
        _("The %(kind)s is redacted.", kind=KIND_LABELS.get(redaction.kind, redaction.kind)),
        "success",
    )
    if round_.is_published:
        flash(
            _(
                "This round's results are published: publish them again on the results page "
                "to record a new fingerprint."
            ),
            "info",
        )
    return redirect(url_for(".review", slug=slug, round_id=round_id), 303)
