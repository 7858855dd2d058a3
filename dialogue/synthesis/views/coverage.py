"""Coverage pages: how much input reaches a final value, and the consultant's decisions on the rest.

Raw contribution text appears only for the consultant (the uncovered texts and a group's texts);
management sees the figures and the themes with their sizes (TARGETS A6).
"""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from dialogue.core.access import round_or_404
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Role, Theme
from dialogue.core.models.proposal import CoverageStatus
from dialogue.core.views import attempt
from dialogue.synthesis import bp, forms
from dialogue.synthesis.queries.coverage import SORTS, coverage
from dialogue.synthesis.queries.proposals import (
    synthesis_member,
)
from dialogue.synthesis.queries.uncovered import group_ids, group_texts
from dialogue.synthesis.services import coverage as coverage_marks
from rounds import get_kind
from rounds.traceability import load_graph


@bp.route("/coverage")
@login_required
def coverage_page(slug: str):
    """How much input reaches a final value, and the themes and texts that reach none."""
    membership = synthesis_member(slug)
    sort = request.args.get("sort", "size")
    sort = sort if sort in SORTS else "size"
    is_consultant = membership.role is Role.CONSULTANT
    return render_template(
        "synthesis/coverage.html",
        membership=membership,
        dialogue=membership.dialogue,
        coverage=coverage(load_graph(membership.dialogue), membership.dialogue, sort),
        sort=sort,
        is_consultant=is_consultant,
        mark_form=forms.MarkForm(),
        group_form=forms.GroupMarkForm(),
        labels=forms,
    )


def _mark(slug: str, **target):
    membership = synthesis_member(slug)
    if membership.role is not Role.CONSULTANT:
        abort(403)
    form = forms.MarkForm()
    back = redirect(url_for("synthesis.coverage_page", slug=slug), 303)
    if not form.validate_on_submit():
        flash(_("Please choose a decision."), "error")
        return back
    outcome = attempt(
        lambda: coverage_marks.mark_coverage(
            membership.dialogue,
            status=CoverageStatus(form.status.data) if form.status.data else None,
            reason=form.reason.data,
            actor_id=current_user.id,
            **target,
        )
    )
    if outcome.message is not None:
        flash(str(outcome.message), "error")
        return back
    flash(_("The decision is saved."), "success")
    return back


@bp.route("/coverage/themes/<int:theme_id>", methods=["POST"])
@login_required
def mark_theme(slug: str, theme_id: int):
    """The consultant's decision on an uncovered theme."""
    membership = synthesis_member(slug)
    theme = Session.get(Theme, theme_id)
    if theme is None:
        abort(404)
    round_or_404(membership, theme.round_id)
    return _mark(slug, theme_id=theme.id)


@bp.route("/coverage/contributions/<uuid:contribution_id>", methods=["POST"])
@login_required
def mark_text(slug: str, contribution_id: uuid.UUID):
    """The consultant's decision on an uncovered text."""
    membership = synthesis_member(slug)
    contribution = Session.get(Contribution, contribution_id)
    if contribution is None:
        abort(404)
    round_or_404(membership, contribution.round_id)
    return _mark(slug, contribution_id=contribution.id)


#: Texts per page of a coverage group; each has its own decision form.
GROUP_PAGE = 50


def _group(slug: str, round_id: int):
    """The consultant's membership, the round and the part a coverage group page is about."""
    membership = synthesis_member(slug)
    if membership.role is not Role.CONSULTANT:  # raw text is for the consultant only (A6)
        abort(403)
    round_ = round_or_404(membership, round_id)
    kind = get_kind(round_.kind)
    part = request.args.get("part", "")
    parts = dict(kind.theme_parts(round_)) if kind is not None else {}
    if part not in parts:
        abort(404)
    return membership, round_, part, parts[part]


@bp.route("/coverage/rounds/<int:round_id>/texts")
@login_required
def coverage_group(slug: str, round_id: int):
    """One group of texts in no theme that reach no final value, a page at a time."""
    membership, round_, part, part_label = _group(slug, round_id)
    graph = load_graph(membership.dialogue)
    page = request.args.get("page", 1, type=int) or 1
    texts, pages = group_texts(graph, membership.dialogue, round_, part, page=page, size=GROUP_PAGE)
    return render_template(
        "synthesis/coverage_group.html",
        membership=membership,
        dialogue=membership.dialogue,
        round_=round_,
        part=part,
        part_label=part_label,
        texts=texts,
        page=min(max(page, 1), pages),
        pages=pages,
        mark_form=forms.MarkForm(),
        group_form=forms.GroupMarkForm(),
        labels=forms,
    )


@bp.route("/coverage/rounds/<int:round_id>/texts", methods=["POST"])
@login_required
def mark_group(slug: str, round_id: int):
    """One decision for every text of a coverage group."""
    membership, round_, part, _label = _group(slug, round_id)
    form = forms.GroupMarkForm()
    back = redirect(url_for("synthesis.coverage_page", slug=slug), 303)
    if not form.validate_on_submit():
        flash(_("Please choose a decision."), "error")
        return back
    ids = group_ids(load_graph(membership.dialogue), membership.dialogue, round_, part)
    if ids is None:
        abort(404)
    outcome = attempt(
        lambda: coverage_marks.mark_group(
            membership.dialogue,
            ids,
            status=None if form.status.data == forms.CLEAR else CoverageStatus(form.status.data),
            reason=form.reason.data,
            actor_id=current_user.id,
        )
    )
    if outcome.message is not None:
        flash(str(outcome.message), "error")
        return back
    count = outcome.result
    flash(
        ngettext(
            "The decision is saved for %(num)d contribution.",
            "The decision is saved for %(num)d contributions.",
            count,
        )
        if form.status.data != forms.CLEAR
        else _("The decisions are cleared."),
        "success",
    )
    return back
