"""Participant views of "my input": everything they wrote, its paths, checks, copy and erasure."""

from __future__ import annotations

import uuid

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from dialogue.core.access import current_author
from dialogue.core.extensions import limiter
from dialogue.core.models import Membership
from dialogue.core.models.membercheck import CheckAnswer
from dialogue.core.views import attempt
from dialogue.membercheck.forms import CheckForm
from dialogue.membercheck.queries import checks_of, is_checkable
from dialogue.membercheck.services import answer_check
from dialogue.participate import bp
from dialogue.participate.queries import (
    own_contribution_or_404,
    own_traces,
)
from dialogue.participate.views import (
    participant_or_404,
    session_key,
)
from dialogue.privacy.forms import EraseForm
from dialogue.privacy.queries import as_csv, as_json, own_input
from dialogue.privacy.services.erasure import erase_own_input
from dialogue.synthesis.queries.traces import own_paths
from rounds import submissions
from rounds.traceability import load_graph


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
    answer, comment = CheckAnswer(form.answer.data), form.comment.data or ""
    outcome = attempt(lambda: answer_check(graph, contribution, answer=answer, comment=comment))
    if outcome.message is not None:  # not checkable, so there is no form to show it beside
        flash(str(outcome.message), "error")
        return render_my_input(membership, graph, status=422)
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
