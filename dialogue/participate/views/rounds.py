"""Participant views of a round: its page, adding, answering its questions, editing, withdrawing."""

from __future__ import annotations

import secrets
import uuid

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from dialogue.core.access import current_author, round_or_404
from dialogue.core.clock import utcnow
from dialogue.core.db import read_apart
from dialogue.core.errors import UserError
from dialogue.core.extensions import limiter
from dialogue.core.i18n import page_language
from dialogue.core.models import RoundState
from dialogue.core.views import attempt
from dialogue.identifying.queries import warning_before_saving
from dialogue.participate import bp
from dialogue.participate import forms as question_forms
from dialogue.participate.queries import (
    own_contribution_or_404,
)
from dialogue.participate.views import (
    participant_or_404,
    participant_round_or_404,
    session_key,
    unsaved,
)
from dialogue.synthesis.queries.feedback import RECALLED_THEMES, previous_themes, repeated_themes
from dialogue.workbench.jobs import schedule as schedule_embedding
from rounds import get_kind, submissions
from rounds.questions import answering, reading
from rounds.results.delphi import delphi_feedback


def render_round(
    membership,
    round_,
    form,
    status=200,
    preserved_text=None,
    identifying=None,
    questions_form=None,
):
    """The round's page with the participant's own contributions and, if open, the forms."""
    kind = get_kind(round_.kind)
    author = current_author(membership)
    now = utcnow()
    if form is not None and not form.nonce.data:
        form.nonce.data = secrets.token_urlsafe(16)
    extra = reading.questions_of(round_)
    if questions_form is None and extra:
        questions_form = question_forms.questions_form(
            extra, page_language(), data=answering.own_answers(round_, author)
        )
    context = {
        "membership": membership,
        "dialogue": membership.dialogue,
        "round_": round_,
        "state": round_.state_at(now),
        "kind": kind,
        "settings": kind.settings(round_) if kind else {},
        "own": submissions.list_own(round_, author, kind_only=True),
        "form": form,
        "preserved_text": preserved_text,
        "RoundState": RoundState,
        "items": kind.items(round_) if kind else [],
        "feedback": delphi_feedback(round_, author),
        "item_feedback": repeated_themes(round_),
        "recall": previous_themes(round_),
        "recalled": RECALLED_THEMES,
        "identifying": identifying,
        "questions": extra,
        "questions_form": questions_form,
        "saved_notice": _("Thank you. Your contribution is saved.")
        if request.method == "GET" and request.args.get("saved") == "1"
        else None,
    }
    template = kind.template if kind else "rounds/unavailable.html"
    return render_template(template, **context), status


@bp.route("/rounds/<int:round_id>/")
@login_required
def round_page(slug: str, round_id: int):
    """A round as the participant sees it, with any text kept from an ended session filled in."""
    membership, round_ = participant_round_or_404(slug, round_id)
    kind = get_kind(round_.kind)
    if kind is None:
        return render_round(membership, round_, None)
    kept = unsaved.unpack(
        request.cookies.get(unsaved.COOKIE),
        slug=slug,
        round_id=round_id,
        person_id=current_user.get_id(),
    )
    if kept is None or round_.state_at(utcnow()) is not RoundState.OPEN:
        defaults = kind.form_defaults(round_, current_author(membership))
        return render_round(membership, round_, kind.form(round_, **defaults))
    flash(
        _(
            "Your session had ended before your input was saved. It is filled in below: "
            "check it and save it."
        ),
        "info",
    )
    response = make_response(
        render_round(membership, round_, kind.form(round_, formdata=MultiDict(kept)))
    )
    unsaved.forget(response, slug)
    return response


@bp.route("/rounds/<int:round_id>/contributions", methods=["POST"])
@unsaved.keep_unsaved_input
@limiter.limit("30 per minute", key_func=session_key)
def add(slug: str, round_id: int):
    """Add a contribution; a closed round or a broken rule re-renders with the text kept.

    The membership and the round are read before the write begins (``read_apart``), so that on
    SQLite the write lock is held only for the text's own statements.
    """
    membership, round_ = read_apart(lambda: participant_round_or_404(slug, round_id))
    kind = get_kind(round_.kind)
    if kind is None:
        abort(404)
    form = kind.form(round_)
    if not form.validate_on_submit():
        return render_round(membership, round_, form, 422)
    warning = warning_before_saving(form, request.form, request.path)
    if warning is not None and round_.state_at(utcnow()) is RoundState.OPEN:
        return render_round(membership, round_, form, 422, identifying=warning)
    outcome = attempt(lambda: kind.submit(round_, current_author(membership), form, utcnow()))
    if outcome.refusal is not None:
        attach_error(form, outcome.refusal)
        status = outcome.refusal.status
        return render_round(membership, round_, form, status, preserved_text=form_text(form))
    schedule_embedding(round_)
    # Said by the page the redirect leads to, not by a flash message: a flash rewrites the
    # session cookie on this request and again on the next (issue #24: no per-request writes).
    return redirect(url_for(".round_page", slug=slug, round_id=round_id, saved=1), 303)


@bp.route("/rounds/<int:round_id>/questions", methods=["POST"])
@unsaved.keep_unsaved_input
@limiter.limit("30 per minute", key_func=session_key)
def answer_questions(slug: str, round_id: int):
    """Save the answers to a round's extra questions; refused ones show again with why."""
    membership = participant_or_404(slug)
    round_ = round_or_404(membership, round_id)
    kind = get_kind(round_.kind)
    extra = reading.questions_of(round_)
    if kind is None or not extra:
        abort(404)
    form = question_forms.questions_form(extra, page_language())
    defaults = kind.form_defaults(round_, current_author(membership))

    def refused(status: int):
        own = kind.form(round_, formdata=None, **defaults)  # not the questions' POST
        return render_round(membership, round_, own, status, questions_form=form)

    if not form.validate_on_submit():
        return refused(422)
    raw = question_forms.submitted(form, extra)
    author = current_author(membership)
    outcome = attempt(lambda: answering.answer_questions(round_, author, raw, now=utcnow()))
    if outcome.refusal is not None:
        attach_error(form, outcome.refusal)
        return refused(outcome.refusal.status)
    flash(_("Thank you. Your answers are saved."), "success")
    return redirect(url_for(".round_page", slug=slug, round_id=round_id, _anchor="questions"), 303)


def attach_error(form, exc: UserError) -> None:
    """Show a domain error beside the field it concerns, or above the form."""
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def form_text(form) -> str:
    """Everything the participant typed, so that a refused submission never loses it."""
    texts = [f.data for f in form if f.type in ("TextAreaField", "StringField") and f.data]
    return "\n\n".join(texts)


@bp.route("/contributions/<uuid:contribution_id>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per minute", methods=["POST"], key_func=session_key)
def edit(slug: str, contribution_id: uuid.UUID):
    """Edit one's own contribution while the round is open."""
    membership = participant_or_404(slug)
    contribution = own_contribution_or_404(membership, contribution_id)
    kind = get_kind(contribution.round.kind)
    if kind.one_answer:  # a whole answer is changed on the round's page, not piece by piece
        return redirect(url_for(".round_page", slug=slug, round_id=contribution.round_id), 303)
    form = kind.form(contribution.round, obj=contribution)
    status = 200
    warning = None
    if form.validate_on_submit() and contribution.round.state_at(utcnow()) is RoundState.OPEN:
        warning = warning_before_saving(form, request.form, request.path)
    if warning is not None:
        status = 422
    elif form.validate_on_submit():
        outcome = attempt(lambda: kind.edit(contribution, form, utcnow()))
        if outcome.refusal is not None:
            attach_error(form, outcome.refusal)
            status = outcome.refusal.status
        else:
            schedule_embedding(contribution.round)
            flash(_("Your changes are saved."), "success")
            return redirect(url_for(".round_page", slug=slug, round_id=contribution.round_id), 303)
    elif form.is_submitted():
        status = 422
    return render_template(
        "participate/edit.html",
        form=form,
        contribution=contribution,
        membership=membership,
        identifying=warning,
    ), status


@bp.route("/contributions/<uuid:contribution_id>/withdraw", methods=["POST"])
@login_required
def withdraw(slug: str, contribution_id: uuid.UUID):
    """Delete one's own contribution while the round is open."""
    membership = participant_or_404(slug)
    contribution = own_contribution_or_404(membership, contribution_id)
    round_id = contribution.round_id
    outcome = attempt(lambda: submissions.withdraw_contribution(contribution, now=utcnow()))
    if outcome.message is not None:
        flash(str(outcome.message), "error")
        return redirect(url_for(".round_page", slug=slug, round_id=round_id), 303)
    flash(_("Your contribution is withdrawn and deleted."), "success")
    return redirect(url_for(".round_page", slug=slug, round_id=round_id), 303)
