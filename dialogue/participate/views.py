"""Participant views: a round's page, adding, editing and withdrawing, and "my input"."""

from __future__ import annotations

import secrets
import uuid
from functools import wraps

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from dialogue.core.access import current_author, round_or_404
from dialogue.core.clock import utcnow
from dialogue.core.db import Session, read_apart
from dialogue.core.extensions import limiter
from dialogue.core.i18n import page_language
from dialogue.core.models import Membership, RoundState
from dialogue.core.models.membercheck import CheckAnswer
from dialogue.core.views import attempt
from dialogue.identifying.warnings import warning_before_saving
from dialogue.membercheck.forms import CheckForm
from dialogue.membercheck.services import answer_check, checks_of, is_checkable
from dialogue.participate import forms as question_forms
from dialogue.participate import stash
from dialogue.participate.queries import (
    own_contribution_or_404,
    own_traces,
    participant_or_404,
    participant_round_or_404,
    session_key,
)
from dialogue.privacy.forms import EraseForm
from dialogue.privacy.services import as_csv, as_json, erase_own_input, own_input
from dialogue.synthesis.queries.feedback import RECALLED_THEMES, previous_themes, repeated_themes
from dialogue.synthesis.queries.traces import own_paths
from dialogue.workbench.jobs import schedule as schedule_embedding
from rounds import get_kind, questions, submissions
from rounds.errors import RoundError
from rounds.results.delphi import delphi_feedback
from rounds.traceability import load_graph

bp = Blueprint("participate", __name__, url_prefix="/d/<slug>")


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
    extra = questions.questions_of(round_)
    if questions_form is None and extra:
        questions_form = question_forms.questions_form(
            extra, page_language(), data=questions.own_answers(round_, author)
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
    kept = stash.unpack(
        request.cookies.get(stash.COOKIE),
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
    stash.forget(response, slug)
    return response


def keep_unsaved_input(view):
    """Like ``login_required``, but a POST from an ended session keeps what was typed.

    The text goes into a signed cookie of the participant's own browser (``stash``) and comes
    back in the round's form after they log in again with a new link; nothing is stored on the
    server.
    """

    @wraps(view)
    def wrapper(slug: str, round_id: int, **kwargs):
        if current_user.is_authenticated:
            return view(slug, round_id, **kwargs)
        return input_kept_for_later(slug, round_id)

    return wrapper


def input_kept_for_later(slug: str, round_id: int):
    """Send a logged-out participant to get a new link, keeping their input if we can.

    Kept only when the ended session still names its person, so that the text can be given
    back to that person alone.
    """
    response = redirect(url_for("auth.request_link"), 303)
    person_id = session.get("_user_id")
    packed = None
    if person_id:
        packed = stash.pack(
            request.form.items(multi=True), slug=slug, round_id=round_id, person_id=person_id
        )
    if packed is None:
        flash(_("Your session has ended. Please log in again with a new link."), "info")
        return response
    value, shortened = packed
    stash.keep(response, value, slug)
    if shortened:
        flash(
            _(
                "Your session has ended, so your input is not saved yet. This browser keeps "
                "the beginning of it (it was too long to keep whole): ask for a new link below, "
                "log in and open the round again."
            ),
            "info",
        )
    else:
        flash(
            _(
                "Your session has ended, so your input is not saved yet. This browser keeps "
                "it for you: ask for a new link below, log in and open the round again."
            ),
            "info",
        )
    return response


@bp.route("/rounds/<int:round_id>/contributions", methods=["POST"])
@keep_unsaved_input
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
    warning = warning_before_saving(form)
    if warning is not None and round_.state_at(utcnow()) is RoundState.OPEN:
        return render_round(membership, round_, form, 422, identifying=warning)
    try:
        kind.submit(round_, current_author(membership), form, utcnow())
    except RoundError as exc:
        attach_error(form, exc)
        return render_round(membership, round_, form, exc.status, preserved_text=form_text(form))
    Session.commit()
    schedule_embedding(round_)
    flash(_("Thank you. Your contribution is saved."), "success")
    return redirect(url_for(".round_page", slug=slug, round_id=round_id), 303)


@bp.route("/rounds/<int:round_id>/questions", methods=["POST"])
@keep_unsaved_input
@limiter.limit("30 per minute", key_func=session_key)
def answer_questions(slug: str, round_id: int):
    """Save the answers to a round's extra questions; refused ones show again with why."""
    membership = participant_or_404(slug)
    round_ = round_or_404(membership, round_id)
    kind = get_kind(round_.kind)
    extra = questions.questions_of(round_)
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
    try:
        questions.answer_questions(round_, current_author(membership), raw, now=utcnow())
    except RoundError as exc:
        Session.rollback()
        attach_error(form, exc)
        return refused(exc.status)
    Session.commit()
    flash(_("Thank you. Your answers are saved."), "success")
    return redirect(url_for(".round_page", slug=slug, round_id=round_id, _anchor="questions"), 303)


def attach_error(form, exc: RoundError) -> None:
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
        warning = warning_before_saving(form)
    if warning is not None:
        status = 422
    elif form.validate_on_submit():
        try:
            kind.edit(contribution, form, utcnow())
        except RoundError as exc:
            attach_error(form, exc)
            status = exc.status
        else:
            Session.commit()
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
    try:
        submissions.withdraw_contribution(contribution, now=utcnow())
    except RoundError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for(".round_page", slug=slug, round_id=round_id), 303)
    Session.commit()
    flash(_("Your contribution is withdrawn and deleted."), "success")
    return redirect(url_for(".round_page", slug=slug, round_id=round_id), 303)


@bp.route("/my-input")
@login_required
def my_input(slug: str):
    """Everything this participant wrote, round by round, with the path each piece took."""
    return render_my_input(participant_or_404(slug))


def render_my_input(membership: Membership, graph=None, *, refused=None, status: int = 200):
    """The "my input" page, with "is this what you meant?" under each condensed contribution.

    ``refused`` is (contribution id, bound form) of a member-check answer that was refused, so
    that its message and what was typed show beside the contribution it was about.
    """
    author = current_author(membership)
    graph = graph or load_graph(membership.dialogue)
    rounds, traces = [], {}
    for round_ in membership.dialogue.rounds:
        own = submissions.list_own(round_, author)
        paths = own_paths(graph, round_, own)
        rounds.append((round_, paths))
        traces.update(own_traces(graph, round_, own, paths))
    own_ids = [path.id for _round, paths in rounds for path in paths]
    return render_template(
        "participate/my_input.html",
        membership=membership,
        rounds=rounds,
        traces=traces,
        checks=checks_of(own_ids),
        is_checkable=is_checkable,
        refused=refused,
    ), status


@bp.route("/my-input/<uuid:contribution_id>")
@login_required
def trace(slug: str, contribution_id: uuid.UUID):
    """The path of one of one's own contributions; anybody else's is "not found"."""
    membership = participant_or_404(slug)
    contribution = own_contribution_or_404(membership, contribution_id)
    graph = load_graph(membership.dialogue)
    (path,) = own_paths(graph, contribution.round, [contribution])
    return render_template(
        "participate/trace.html",
        membership=membership,
        round_=contribution.round,
        path=path,
        traces=own_traces(graph, contribution.round, [contribution], [path]),
    )


@bp.route("/my-input/<uuid:contribution_id>/check", methods=["POST"])
@login_required
@limiter.limit("30 per minute", key_func=session_key)
def check_answer(slug: str, contribution_id: uuid.UUID):
    """Answer "is this what you meant?" about one's own contribution (again, to change it)."""
    membership = participant_or_404(slug)
    contribution = own_contribution_or_404(membership, contribution_id)
    form = CheckForm()
    graph = load_graph(membership.dialogue)
    if not form.validate_on_submit():
        return render_my_input(membership, graph, refused=(contribution.id, form), status=422)
    try:
        answer_check(
            graph,
            contribution,
            answer=CheckAnswer(form.answer.data),
            comment=form.comment.data or "",
        )
    except RoundError as exc:  # not checkable, so there is no form to show it beside
        flash(str(exc.message), "error")
        return render_my_input(membership, graph, status=422)
    Session.commit()
    flash(_("Thank you. Your answer is saved."), "success")
    target = url_for("participate.my_input", slug=slug, _anchor=f"check-{contribution.id}")
    return redirect(target, 303)


@bp.route("/my-input/download/<any(json, csv):fmt>")
@login_required
def my_input_download(slug: str, fmt: str):
    """A copy of everything this participant wrote, for them alone (found by their pseudonym)."""
    membership = participant_or_404(slug)
    rows = own_input(membership.dialogue, current_author(membership))
    body, mimetype = (
        (as_json(rows), "application/json") if fmt == "json" else (as_csv(rows), "text/csv")
    )
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="my-input-{slug}.{fmt}"'
    return response


@bp.route("/my-input/erase", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per minute", methods=["POST"], key_func=session_key)
def erase(slug: str):
    """Erase all of one's own input, after a confirmation; nothing records who or when."""
    membership = participant_or_404(slug)
    author = current_author(membership)
    form = EraseForm()
    status = 200
    if form.is_submitted():
        outcome = attempt(lambda: erase_own_input(membership.dialogue, author), form)
        if outcome.message is None:
            flash(
                ngettext(
                    "%(num)d contribution or answer is erased.",
                    "%(num)d contributions and answers are erased.",
                    outcome.result,
                ),
                "success",
            )
            return redirect(url_for(".my_input", slug=slug), 303)
        status = 422
    count = len(own_input(membership.dialogue, author))
    return render_template(
        "privacy/erase.html", membership=membership, form=form, count=count
    ), status
