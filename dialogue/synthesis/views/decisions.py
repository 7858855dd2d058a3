"""Decisions on proposals: publish, make final, reopen, set aside, feed the finals to a round.

Like every POST of the proposal pages, each parses its form, calls one operation of
``dialogue.synthesis.services``, commits and redirects (through :func:`run_operation`);
making final and reopening first show a page that says what the step does, and a refusal there is
shown beside the field it concerns.
"""

from __future__ import annotations

from flask import flash, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Round
from dialogue.core.models.proposal import ProposalStatus
from dialogue.core.views import attempt
from dialogue.synthesis import bp, forms, jobs
from dialogue.synthesis.queries.proposals import (
    consultation_comments,
    proposal_or_404,
    synthesis_member,
)
from dialogue.synthesis.queries.traces import proposal_view
from dialogue.synthesis.services import proposals as operations
from dialogue.synthesis.services import publishing
from dialogue.synthesis.views.proposals import back_to, on_proposal, run_operation


@bp.route("/proposals/<int:proposal_id>/publish", methods=["POST"])
@login_required
def publish(slug: str, proposal_id: int):
    """Send a draft out for consultation in the chosen round."""
    form = forms.RoundForm()
    return on_proposal(
        slug,
        proposal_id,
        form,
        lambda membership, found: publishing.publish_for_consultation(
            [found],
            _round_or_refuse(membership, form.round_id.data),
            actor_id=current_user.id,
        ),
        _("The draft is published into the consultation round."),
    )


def _round_or_refuse(membership, round_id) -> Round:
    round_ = Session.get(Round, round_id or 0)
    if round_ is None or round_.dialogue_id != membership.dialogue_id:
        raise operations.SynthesisError(_("Choose a round of this dialogue."))
    return round_


@bp.route("/proposals/<int:proposal_id>/finalise", methods=["GET", "POST"])
@login_required
def finalise(slug: str, proposal_id: int):
    """Say what making it final does (and whether the draft was consulted), then do it.

    There is no going back in one click, so the proposal page only links here; this page
    holds the final wording and the button.
    """
    membership = synthesis_member(slug)
    found = proposal_or_404(membership, proposal_id)
    form = forms.FinaliseForm(title=found.current.title, text=found.current.text)
    if form.validate_on_submit():
        outcome = attempt(
            lambda: operations.finalise_proposal(
                found,
                title=form.title.data,
                text=form.text.data,
                note=form.note.data,
                actor_id=current_user.id,
            )
        )
        if outcome.message is None:
            jobs.refresh_later(membership.dialogue_id)
            flash(_("The proposal is final."), "success")
            return back_to(slug, found.id)
        _attach(form, outcome.refusal, outcome.message)
    # The note on what changed answers the consultation: its comments are beside the form.
    comments = consultation_comments(found, utcnow())
    return _confirm_page("synthesis/finalise.html", membership, found, form, comments=comments)


def _attach(form, refusal, message) -> None:
    """A refusal beside the field it concerns, or above the form."""
    name = getattr(refusal, "field", None)
    if name and name in form:
        form[name].errors = [*form[name].errors, message]
    else:
        form.form_errors.append(message)


def _confirm_page(template: str, membership, found, form, **context):
    """A page that says what a step does before it is taken; 422 when the step was refused."""
    status = 422 if form.is_submitted() else 200
    return render_template(
        template,
        membership=membership,
        dialogue=membership.dialogue,
        proposal=found,
        view=proposal_view(found),
        form=form,
        **context,
        ProposalStatus=ProposalStatus,
    ), status


@bp.route("/proposals/<int:proposal_id>/reopen", methods=["GET", "POST"])
@login_required
def reopen(slug: str, proposal_id: int):
    """Take a final value back to draft, after saying what that does; the final version stays."""
    membership = synthesis_member(slug)
    found = proposal_or_404(membership, proposal_id)
    form = forms.ReopenForm()
    if form.validate_on_submit():
        outcome = attempt(
            lambda: operations.reopen_proposal(found, note=form.note.data, actor_id=current_user.id)
        )
        if outcome.message is None:
            jobs.refresh_later(membership.dialogue_id)
            flash(_("The proposal is a draft again."), "success")
            return back_to(slug, found.id)
        _attach(form, outcome.refusal, outcome.message)
    return _confirm_page("synthesis/reopen.html", membership, found, form)


@bp.route("/proposals/<int:proposal_id>/drop", methods=["POST"])
@login_required
def drop(slug: str, proposal_id: int):
    """Set a proposal aside with a reason."""
    form = forms.DropForm()
    return on_proposal(
        slug,
        proposal_id,
        form,
        lambda _membership, found: operations.drop_proposal(
            found,
            note=form.note.data,
            actor_id=current_user.id,
        ),
        _("The proposal is set aside."),
    )


@bp.route("/proposals/feed", methods=["POST"])
@login_required
def feed_round(slug: str):
    """Make the final values the items of the chosen round (the action round)."""
    membership = synthesis_member(slug)
    form = forms.RoundForm()
    return run_operation(
        membership,
        None,
        form,
        lambda: publishing.feed_final_values(
            _round_or_refuse(membership, form.round_id.data),
            actor_id=current_user.id,
        ),
        _("The final values are now the round's items."),
    )
