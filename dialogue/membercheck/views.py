"""Member-checking views: a participant's answer on "my input", and the consultant's overview.

A participant can answer only about their own contributions: anybody else's is "not found",
exactly as on "my input" itself. The consultant sees answers per theme, never who gave them,
and responds to the contested ones; moving a contribution or renaming a theme goes through the
workbench's logged edits.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from dialogue.core.access import member_or_404, require_roles
from dialogue.core.db import Session
from dialogue.core.models import Contribution, MemberCheck, Role, Round, Theme
from dialogue.core.models.analysis import ACTIVE_STATES
from dialogue.core.models.membercheck import CheckAnswer
from dialogue.core.views import attempt
from dialogue.membercheck import forms, queries, services
from dialogue.workbench.services import edits as workbench
from rounds.traceability import load_graph

bp = Blueprint("membercheck", __name__, url_prefix="/d/<slug>")


# --- the consultant -------------------------------------------------------------------------


def _consultant(slug: str):
    return require_roles(member_or_404(slug), Role.CONSULTANT)


def _overview(membership, *, error: str | None = None, status: int = 200):
    graph = load_graph(membership.dialogue)
    groups = queries.theme_overview(graph, membership.dialogue)
    themes_by_round: dict[int, list[Theme]] = {}
    for theme in graph.themes.values():
        if theme.state in ACTIVE_STATES:
            themes_by_round.setdefault(theme.round_id, []).append(theme)
    for themes in themes_by_round.values():
        themes.sort(key=lambda t: t.label.casefold())
    return render_template(
        "membercheck/overview.html",
        membership=membership,
        dialogue=membership.dialogue,
        groups=groups,
        themes_by_round=themes_by_round,
        answers=list(CheckAnswer),
        answer_label=forms.answer_label,
        deal_form=forms.DealForm(),
        rename_form=forms.RenameForm(),
        error=error,
    ), status


@bp.route("/member-checks/")
@login_required
def overview(slug: str):
    """Answers per theme: counts, comments and the contested contributions (never who)."""
    return _overview(_consultant(slug))


def _attempt(membership, form, operation, message: str, conflict=None):
    """Validate ``form``, run ``operation`` and commit; or show the overview again with why not.

    ``conflict`` is what to say if the database refuses the write as racing another edit.
    """
    outcome = attempt(operation, form, conflict=conflict)
    if outcome.message is not None:
        return _overview(membership, error=str(outcome.message), status=422)
    flash(message, "success")
    return redirect(url_for(".overview", slug=membership.dialogue.slug), 303)


@bp.route("/member-checks/<uuid:contribution_id>/deal", methods=["POST"])
@login_required
def deal(slug: str, contribution_id: uuid.UUID):
    """Respond to a contested answer, moving the contribution to another theme if chosen."""
    membership = _consultant(slug)
    check = Session.scalar(
        select(MemberCheck)
        .join(Contribution, Contribution.id == MemberCheck.contribution_id)
        .join(Round, Round.id == Contribution.round_id)
        .where(
            MemberCheck.contribution_id == contribution_id,
            Round.dialogue_id == membership.dialogue_id,
        )
    )
    if check is None:
        abort(404)
    form = forms.DealForm()

    def deal_with():
        move_to = _theme_or_404(membership, form.move_to.data) if form.move_to.data else None
        services.deal_with(
            check, response=form.response.data, move_to=move_to, actor_id=current_user.id
        )

    return _attempt(
        membership,
        form,
        deal_with,
        _("The answer is marked as dealt with; the participant will see why."),
        conflict=_("The themes were changed elsewhere at the same moment. Please try again."),
    )


def _theme_or_404(membership, theme_id) -> Theme:
    theme = Session.get(Theme, int(theme_id)) if str(theme_id).isdigit() else None
    if theme is None or Session.get(Round, theme.round_id).dialogue_id != membership.dialogue_id:
        abort(404)
    return theme


@bp.route("/member-checks/themes/<int:theme_id>/rename", methods=["POST"])
@login_required
def rename_theme(slug: str, theme_id: int):
    """Reword a theme that contributors did not recognise (the workbench's logged rename)."""
    membership = _consultant(slug)
    theme = _theme_or_404(membership, theme_id)
    form = forms.RenameForm()
    return _attempt(
        membership,
        form,
        lambda: workbench.rename_theme(
            theme, label=form.label.data, description=theme.description, actor_id=current_user.id
        ),
        _("The theme was saved."),
    )
