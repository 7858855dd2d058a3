"""The workbench's edits of a part's themes: create, merge, move, rename, accept, split, hide.

Every POST parses its form, calls one operation of ``dialogue.workbench.services``, commits
through :func:`~dialogue.workbench.views.blueprint.apply_edit` and redirects; a refused edit is
flashed and nothing is committed.
"""

from __future__ import annotations

import uuid

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from dialogue.core.db import Session
from dialogue.core.models import Contribution, Round, Theme
from dialogue.core.models.analysis import HideReason
from dialogue.workbench import forms
from dialogue.workbench.queries import figures, pages
from dialogue.workbench.services import edits, splitting
from dialogue.workbench.views.blueprint import (
    apply_edit,
    bp,
    consultant_round,
    done,
    round_route,
    round_url,
)


@round_route("/themes", methods=["POST"])
@login_required
def create_theme(slug: str, round_id: int, part: str):
    """Add a theme to the part by hand."""
    _membership, round_ = consultant_round(slug, round_id, part)
    form = forms.ThemeForm()
    if not form.validate_on_submit():
        return done(slug, round_url(slug, round_, part), form)
    outcome = apply_edit(
        lambda: edits.create_theme(
            round_,
            label=form.label.data,
            description=form.description.data or "",
            part=part,
            actor_id=current_user.id,
        ),
        None,
    )
    if outcome.message is not None:
        return done(slug, round_url(slug, round_, part))
    theme = outcome.result
    return redirect(url_for(".theme_page", slug=slug, round_id=round_.id, theme_id=theme.id))


@round_route("/merge", methods=["POST"])
@login_required
def merge(slug: str, round_id: int, part: str):
    """Merge the chosen themes of the part into one."""
    _membership, round_ = consultant_round(slug, round_id, part)
    form = forms.MergeForm()
    if form.validate_on_submit():
        target = _theme_or_404(round_, form.target.data)
        sources = [_theme_or_404(round_, theme_id) for theme_id in form.sources.data]
        apply_edit(
            lambda: edits.merge_themes(round_, sources, target, actor_id=current_user.id),
            _("The themes were merged."),
        )
    return done(slug, round_url(slug, round_, part), form)


@round_route("/move", methods=["POST"])
@login_required
def move(slug: str, round_id: int, part: str):
    """Move the ticked texts of the part to another theme or to its unassigned group."""
    _membership, round_ = consultant_round(slug, round_id, part)
    form = forms.MoveForm()
    if form.validate_on_submit():
        target = (
            None if form.target.data == "none" else _theme_or_404(round_, _int(form.target.data))
        )
        ids = [_uuid(value) for value in form.contributions.data]
        apply_edit(
            lambda: edits.move_contributions(
                round_, ids, target, part=part, actor_id=current_user.id
            ),
            lambda count: ngettext(
                "%(num)d contribution moved.", "%(num)d contributions moved.", count
            ),
        )
    return done(slug, round_url(slug, round_, part), form)


@bp.route("/rounds/<int:round_id>/themes/<int:theme_id>")
@login_required
def theme_page(slug: str, round_id: int, theme_id: int):
    """A theme: its name and description, all its contributions (paginated, searchable)."""
    membership, round_ = consultant_round(slug, round_id)
    theme = _theme_or_404(round_, theme_id)
    query = request.args.get("q", "").strip()[:200]
    page = pages.page_of(
        pages.theme_contributions(theme),
        page=request.args.get("page", 1, type=int) or 1,
        query=query,
        scalars=False,
        total=None if query else figures.count_theme_members(theme),
    )
    return render_template(
        "workbench/contributions.html",
        dialogue=membership.dialogue,
        round_=round_,
        theme=theme,
        merged_into=Session.get(Theme, theme.merged_into_id) if theme.merged_into_id else None,
        page=page,
        rows=[tuple(row) for row in page.rows],
        targets=figures.active_themes(round_, theme.part),
        theme_form=forms.ThemeForm(obj=theme),
        split_form=forms.SplitForm(),
        confirm_form=forms.ConfirmForm(),
        move_form=forms.MoveForm(),
        hide_form=forms.HideForm(),
    )


@bp.route("/rounds/<int:round_id>/themes/<int:theme_id>/edit", methods=["POST"])
@login_required
def edit_theme(slug: str, round_id: int, theme_id: int):
    """Rename and describe a theme."""
    _membership, round_ = consultant_round(slug, round_id)
    theme = _theme_or_404(round_, theme_id)
    form = forms.ThemeForm()
    if form.validate_on_submit():
        apply_edit(
            lambda: edits.rename_theme(
                theme,
                label=form.label.data,
                description=form.description.data or "",
                actor_id=current_user.id,
            ),
            _("The theme was saved."),
        )
    return done(slug, _theme_url(slug, theme), form)


@bp.route("/rounds/<int:round_id>/themes/<int:theme_id>/accept", methods=["POST"])
@login_required
def accept_theme(slug: str, round_id: int, theme_id: int):
    """Accept a suggested theme."""
    _membership, round_ = consultant_round(slug, round_id)
    theme = _theme_or_404(round_, theme_id)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        apply_edit(
            lambda: edits.accept_theme(theme, actor_id=current_user.id),
            _("The theme was accepted."),
        )
    return done(slug, round_url(slug, round_, theme.part), form)


@bp.route("/rounds/<int:round_id>/themes/<int:theme_id>/split", methods=["POST"])
@login_required
def split_theme(slug: str, round_id: int, theme_id: int):
    """Split a theme by re-clustering its contributions."""
    membership, round_ = consultant_round(slug, round_id)
    theme = _theme_or_404(round_, theme_id)
    form = forms.SplitForm()
    if form.validate_on_submit():
        apply_edit(
            lambda: splitting.split_theme(
                theme,
                min_group_size=membership.dialogue.min_group_size,
                parts=form.parts.data,
                actor_id=current_user.id,
            ),
            lambda new_themes: ngettext(
                "The theme was split; %(num)d new theme.",
                "The theme was split; %(num)d new themes.",
                len(new_themes),
            ),
        )
    return done(slug, _theme_url(slug, theme), form)


@round_route("/contributions/<uuid:contribution_id>/hide", methods=["POST"])
@login_required
def hide(slug: str, round_id: int, contribution_id: uuid.UUID, part: str):
    """Hide a contribution from analysis and quotes, with a reason."""
    _membership, round_ = consultant_round(slug, round_id, part)
    contribution = Session.get(Contribution, contribution_id)
    if contribution is None or contribution.round_id != round_.id:
        abort(404)
    form = forms.HideForm()
    if form.validate_on_submit():
        apply_edit(
            lambda: edits.hide_contribution(
                contribution,
                reason=HideReason(form.reason.data),
                note=form.note.data or "",
                part=part,
                actor_id=current_user.id,
            ),
            _("The contribution was hidden."),
        )
    return done(slug, round_url(slug, round_, part), form)


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        abort(404)


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        abort(404)


def _theme_url(slug: str, theme: Theme) -> str:
    return url_for("workbench.theme_page", slug=slug, round_id=theme.round_id, theme_id=theme.id)


def _theme_or_404(round_: Round, theme_id: int) -> Theme:
    """The round's theme; its part becomes the page's part."""
    theme = Session.get(Theme, theme_id)
    if theme is None or theme.round_id != round_.id:
        abort(404)
    g.workbench_part = theme.part  # the theme's page and forms belong to its part
    return theme
