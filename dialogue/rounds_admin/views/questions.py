"""Admin views for a round's extra questions: adding, editing, deleting and reordering them.

As for rounds, each view parses the form, calls one operation of ``rounds.questions`` and
commits through ``attempt``; a refused question shows again with the reason beside its field.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from dialogue.core.access import round_or_404
from dialogue.core.views import attempt
from dialogue.rounds_admin import bp, forms
from dialogue.rounds_admin.views.rounds import admin_membership
from rounds.answered import has_input
from rounds.errors import RoundError
from rounds.questions import reading, setup


def _question_or_404(membership, question_id: int):
    """A question of a round of the admin's dialogue; any other is "not found"."""
    question = reading.question_of(membership.dialogue, question_id)
    if question is None:
        abort(404)
    return question


def _attach_question(form, exc: RoundError) -> None:
    """Show a refused question beside its field, or above the form."""
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def _render_questions(membership, round_, form, status=200, question=None):
    return render_template(
        "rounds_admin/questions.html",
        membership=membership,
        dialogue=membership.dialogue,
        round_=round_,
        questions=reading.questions_of(round_),
        locked=has_input(round_),
        form=form,
        question=question,
        type_labels=setup.TYPE_LABELS,
        band_sets=setup.BAND_SETS,
        move_form=forms.MoveForm(),
    ), status


def _save_question(membership, round_, form, operation, question=None):
    """Read the form, run ``operation(spec)`` and commit; or show the form again with why not."""
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return _render_questions(membership, round_, form, status, question)
    try:
        spec = forms.read_question(form)
    except forms.FormInvalid:
        return _render_questions(membership, round_, form, 422, question)
    outcome = attempt(lambda: operation(spec))
    if outcome.refusal is not None:
        _attach_question(form, outcome.refusal)
        return _render_questions(membership, round_, form, outcome.refusal.status, question)
    flash(_("The question is saved."), "success")
    return redirect(
        url_for(".round_questions", slug=membership.dialogue.slug, round_id=round_.id), 303
    )


@bp.route("/<int:round_id>/questions", methods=["GET", "POST"])
@login_required
def round_questions(slug: str, round_id: int):
    """The round's extra questions in order, and a form to add one at the end."""
    membership = admin_membership(slug)
    round_ = round_or_404(membership, round_id)
    form = forms.QuestionForm()
    return _save_question(
        membership,
        round_,
        form,
        lambda spec: setup.add_question(round_, spec, actor_id=current_user.id),
    )


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def edit_question(slug: str, question_id: int):
    """Change one extra question while the round has no input."""
    membership = admin_membership(slug)
    question = _question_or_404(membership, question_id)
    round_ = question.round
    data = forms.question_data(question) if request.method == "GET" else None
    form = forms.QuestionForm(data=data) if data is not None else forms.QuestionForm()
    return _save_question(
        membership,
        round_,
        form,
        lambda spec: setup.update_question(question, spec, actor_id=current_user.id),
        question,
    )


@bp.route("/questions/<int:question_id>/delete", methods=["POST"])
@login_required
def delete_question(slug: str, question_id: int):
    """Remove an extra question while the round has no input."""
    membership = admin_membership(slug)
    question = _question_or_404(membership, question_id)
    round_ = question.round
    outcome = attempt(
        lambda: setup.delete_question(question, actor_id=current_user.id), forms.RemoveForm()
    )
    if outcome.message is not None:
        flash(str(outcome.message), "error")
        status = outcome.refusal.status if outcome.refusal is not None else 422
        return _render_questions(membership, round_, forms.QuestionForm(), status)
    flash(_("The question is removed."), "success")
    return redirect(url_for(".round_questions", slug=slug, round_id=round_.id), 303)


@bp.route("/questions/<int:question_id>/move", methods=["POST"])
@login_required
def move_question(slug: str, question_id: int):
    """Move an extra question one place up or down."""
    membership = admin_membership(slug)
    question = _question_or_404(membership, question_id)
    round_ = question.round
    form = forms.MoveForm()
    offset = -1 if form.direction.data == "up" else 1
    outcome = attempt(lambda: setup.move_question(question, offset, actor_id=current_user.id), form)
    if outcome.message is not None:
        flash(str(outcome.message), "error")
        status = outcome.refusal.status if outcome.refusal is not None else 422
        return _render_questions(membership, round_, forms.QuestionForm(), status)
    return redirect(url_for(".round_questions", slug=slug, round_id=round_.id), 303)
