"""The consultant's workbench: run the theme analysis of a round and edit its themes.

Only the dialogue's consultant may use it: management and admin see themes once the consultant
has worked on them, elsewhere. Every POST parses its form, calls one operation of
``dialogue.workbench.services.edits``, commits and redirects; a refused edit is flashed and
nothing is committed. The analysis itself runs as a background job (``dialogue.workbench.jobs``).
"""

from __future__ import annotations

import uuid

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select

from analysis.embed import semantic_installed
from dialogue.core.access import member_or_404, require_roles, round_or_404
from dialogue.core.db import Session
from dialogue.core.forms import first_error
from dialogue.core.jobs import JobActive, get_job, latest_job, status
from dialogue.core.models import Contribution, JobState, Role, Round, Theme
from dialogue.core.models.analysis import ACTIVE_STATES, HideReason
from dialogue.core.results_cache import finalise_later, is_cacheable
from dialogue.core.views import attempt
from dialogue.workbench import forms, jobs
from dialogue.workbench.jobs import unavailable_message
from dialogue.workbench.queries import figures, pages
from dialogue.workbench.services import edits
from rounds.theme_run import get_latest_run, theme_parts

bp = Blueprint("workbench", __name__, url_prefix="/d/<slug>/workbench")


def round_route(rule: str, **options):
    """Register a view of a part of a round: the plain URL is part "", others sit under /parts/.

    A round whose texts all answer one question (round 1) has only the plain URLs; the culture
    round's strengths and weaknesses, a consultation's comments per draft value, are themed
    apart, each part at its own URLs.
    """

    def register(view):
        bp.route(f"/rounds/<int:round_id>{rule}", defaults={"part": ""}, **options)(view)
        return bp.route(f"/rounds/<int:round_id>/parts/<part>{rule}", **options)(view)

    return register


@bp.url_value_preprocessor
def _remember_part(_endpoint, values) -> None:
    g.workbench_part = (values or {}).get("part", "")


@bp.url_defaults
def _stay_in_part(endpoint: str, values: dict) -> None:
    """Links and forms of a part's pages stay in that part unless they name another."""
    if "part" not in values and current_app.url_map.is_endpoint_expecting(endpoint, "part"):
        values["part"] = g.get("workbench_part", "")


def _consultant(slug: str):
    return require_roles(member_or_404(slug), Role.CONSULTANT)


def _round(slug: str, round_id: int, part: str = ""):
    """The consultant's membership and the round; 404 for a part the round does not have."""
    membership = _consultant(slug)
    round_ = round_or_404(membership, round_id)
    if part and part not in dict(theme_parts(round_)):
        abort(404)
    g.workbench_round = round_
    return membership, round_


def _theme_or_404(round_: Round, theme_id: int) -> Theme:
    theme = Session.get(Theme, theme_id)
    if theme is None or theme.round_id != round_.id:
        abort(404)
    g.workbench_part = theme.part  # the theme's page and forms belong to its part
    return theme


def _round_url(slug: str, round_: Round, part: str = "") -> str:
    return url_for("workbench.round_page", slug=slug, round_id=round_.id, part=part)


def _back(slug: str, default: str, requested: str | None = None) -> str:
    """Where to return after a POST: a workbench page the form named, else `default`."""
    prefix = url_for("workbench.index", slug=slug)
    if requested and requested.startswith(prefix) and "//" not in requested:
        return requested
    return default


def _done(slug: str, default: str, form=None):
    """Redirect back, flashing the first form error if the form was not valid."""
    if form is not None and form.errors:
        flash(first_error(form), "error")
    requested = getattr(getattr(form, "next", None), "data", None)
    return redirect(_back(slug, default, requested))


def _apply(edit, message):
    """Run one edit of the themes, then commit and say ``message`` (or why it was refused).

    ``message`` may be a function of the edit's result, for counts. Two consultants (or two
    windows) editing the same themes at once can break the one-member-per-theme constraint;
    the database refuses the second edit and we say so instead of a 500.
    """
    outcome = attempt(
        edit, conflict=_("The themes were changed elsewhere at the same moment. Please try again.")
    )
    if outcome.message is not None:
        flash(str(outcome.message), "error")
        return outcome
    if message is not None:
        flash(message(outcome.result) if callable(message) else message)
    round_ = g.get("workbench_round")
    if round_ is not None and is_cacheable(round_):
        # A closed round's results read its themes and hidden texts: a job computes them anew
        # now, so that the participants' and the public's pages need not wait for them.
        finalise_later(round_)
    return outcome


@bp.route("/")
@login_required
def index(slug: str):
    """The dialogue's rounds, with how many themes each has and when it was last analysed."""
    membership = _consultant(slug)
    counts = dict(
        Session.execute(
            select(Theme.round_id, func.count())
            .join(Round, Round.id == Theme.round_id)
            .where(Round.dialogue_id == membership.dialogue_id, Theme.state.in_(ACTIVE_STATES))
            .group_by(Theme.round_id)
        ).all()
    )
    rounds = [
        (round_, counts.get(round_.id, 0), get_latest_run(round_))
        for round_ in membership.dialogue.rounds
    ]
    return render_template("workbench/index.html", dialogue=membership.dialogue, rounds=rounds)


@round_route("/")
@login_required
def round_page(slug: str, round_id: int, part: str):
    """A part's themes, unassigned group, near-duplicates, hidden texts and history."""
    membership, round_ = _round(slug, round_id, part)
    parts = theme_parts(round_)
    if not part and parts and "" not in dict(parts):  # no plain part: the first one is shown
        part = g.workbench_part = parts[0][0]
    return render_template(
        "workbench/round.html",
        dialogue=membership.dialogue,
        round_=round_,
        run_form=forms.RunForm(),
        theme_form=forms.ThemeForm(),
        merge_form=forms.MergeForm(),
        confirm_form=forms.ConfirmForm(),
        job=_analysis_job(round_, part),
        job_label=jobs.stage_label,
        semantic_available=semantic_installed(),
        unavailable_message=unavailable_message,
        parts=parts,
        part=part,
        **pages.round_workbench(round_, part),
    )


def _analysis_job(round_: Round, part: str):
    """The part's running analysis, or the last one if it failed (to show why)."""
    job = latest_job(jobs.KIND, jobs.job_key(round_, part))
    if job is None or job.state is JobState.DONE:
        return None
    return job


@round_route("/run", methods=["POST"])
@login_required
def run(slug: str, round_id: int, part: str):
    """Start the analysis of a part as a background job; the part's page shows its progress.

    Pressing the button again while a run is queued or running starts nothing new.
    """
    _membership, round_ = _round(slug, round_id, part)
    form = forms.RunForm()
    if form.validate_on_submit():
        try:
            job_id = jobs.start_analysis(
                round_,
                actor_id=current_user.id,
                n_themes=form.n_themes.data,
                seed=form.seed.data or 0,
                method=form.method.data,
                part=part,
            )
        except JobActive:
            flash(_("The analysis of this round is running already."), "info")
        else:
            _flash_started(get_job(job_id))
    return _done(slug, _round_url(slug, round_, part), form)


def _flash_started(job) -> None:
    """Say what happened: the outcome if the job is over (a small round), else that it runs."""
    if job is not None and job.state is JobState.DONE:
        flash(job.message)
    elif job is not None and job.state is JobState.FAILED:
        flash(job.message, "error")
    else:
        flash(_("The analysis has started. This page shows how far it has come."), "info")


@round_route("/jobs/<job_id>")
@login_required
def job_status(slug: str, round_id: int, job_id: str, part: str):
    """How far an analysis job is, as JSON for the progress bar's script."""
    _membership, round_ = _round(slug, round_id, part)
    job = get_job(job_id)
    if job is None or job.kind != jobs.KIND or job.key != jobs.job_key(round_, part):
        abort(404)
    body = status(job)
    body["message"] = jobs.stage_label(job)
    return jsonify(body)


@round_route("/undo", methods=["POST"])
@login_required
def undo(slug: str, round_id: int, part: str):
    """Undo the latest edit of the part's themes."""
    _membership, round_ = _round(slug, round_id, part)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        _apply(
            lambda: edits.undo_last_edit(round_, part=part, actor_id=current_user.id),
            _("The last edit was undone."),
        )
    return _done(slug, _round_url(slug, round_, part), form)


@round_route("/themes", methods=["POST"])
@login_required
def create_theme(slug: str, round_id: int, part: str):
    """Add a theme to the part by hand."""
    _membership, round_ = _round(slug, round_id, part)
    form = forms.ThemeForm()
    if not form.validate_on_submit():
        return _done(slug, _round_url(slug, round_, part), form)
    outcome = _apply(
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
        return _done(slug, _round_url(slug, round_, part))
    theme = outcome.result
    return redirect(url_for(".theme_page", slug=slug, round_id=round_.id, theme_id=theme.id))


@round_route("/merge", methods=["POST"])
@login_required
def merge(slug: str, round_id: int, part: str):
    """Merge the chosen themes of the part into one."""
    _membership, round_ = _round(slug, round_id, part)
    form = forms.MergeForm()
    if form.validate_on_submit():
        target = _theme_or_404(round_, form.target.data)
        sources = [_theme_or_404(round_, theme_id) for theme_id in form.sources.data]
        _apply(
            lambda: edits.merge_themes(round_, sources, target, actor_id=current_user.id),
            _("The themes were merged."),
        )
    return _done(slug, _round_url(slug, round_, part), form)


@round_route("/move", methods=["POST"])
@login_required
def move(slug: str, round_id: int, part: str):
    """Move the ticked texts of the part to another theme or to its unassigned group."""
    _membership, round_ = _round(slug, round_id, part)
    form = forms.MoveForm()
    if form.validate_on_submit():
        target = (
            None if form.target.data == "none" else _theme_or_404(round_, _int(form.target.data))
        )
        ids = [_uuid(value) for value in form.contributions.data]
        _apply(
            lambda: edits.move_contributions(
                round_, ids, target, part=part, actor_id=current_user.id
            ),
            lambda count: ngettext(
                "%(num)d contribution moved.", "%(num)d contributions moved.", count
            ),
        )
    return _done(slug, _round_url(slug, round_, part), form)


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


@round_route("/unassigned")
@login_required
def unassigned(slug: str, round_id: int, part: str):
    """The part's texts that none of its themes holds, paginated and searchable."""
    membership, round_ = _round(slug, round_id, part)
    query = request.args.get("q", "").strip()[:200]
    page = pages.page_of(
        pages.unassigned_contributions(round_, part),
        page=request.args.get("page", 1, type=int) or 1,
        query=query,
        total=None if query else figures.theme_figures(round_, part)["n_unassigned"],
    )
    return render_template(
        "workbench/contributions.html",
        dialogue=membership.dialogue,
        round_=round_,
        theme=None,
        page=page,
        rows=[(contribution, None) for contribution in page.rows],
        targets=figures.list_theme_summaries(round_, part),
        move_form=forms.MoveForm(),
        hide_form=forms.HideForm(),
    )


@bp.route("/rounds/<int:round_id>/themes/<int:theme_id>")
@login_required
def theme_page(slug: str, round_id: int, theme_id: int):
    """A theme: its name and description, all its contributions (paginated, searchable)."""
    membership, round_ = _round(slug, round_id)
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
        targets=figures.list_theme_summaries(round_, theme.part),
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
    _membership, round_ = _round(slug, round_id)
    theme = _theme_or_404(round_, theme_id)
    form = forms.ThemeForm()
    if form.validate_on_submit():
        _apply(
            lambda: edits.rename_theme(
                theme,
                label=form.label.data,
                description=form.description.data or "",
                actor_id=current_user.id,
            ),
            _("The theme was saved."),
        )
    return _done(slug, _theme_url(slug, theme), form)


def _theme_url(slug: str, theme: Theme) -> str:
    return url_for("workbench.theme_page", slug=slug, round_id=theme.round_id, theme_id=theme.id)


@bp.route("/rounds/<int:round_id>/themes/<int:theme_id>/accept", methods=["POST"])
@login_required
def accept_theme(slug: str, round_id: int, theme_id: int):
    """Accept a suggested theme."""
    _membership, round_ = _round(slug, round_id)
    theme = _theme_or_404(round_, theme_id)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        _apply(
            lambda: edits.accept_theme(theme, actor_id=current_user.id),
            _("The theme was accepted."),
        )
    return _done(slug, _round_url(slug, round_, theme.part), form)


@bp.route("/rounds/<int:round_id>/themes/<int:theme_id>/split", methods=["POST"])
@login_required
def split_theme(slug: str, round_id: int, theme_id: int):
    """Split a theme by re-clustering its contributions."""
    membership, round_ = _round(slug, round_id)
    theme = _theme_or_404(round_, theme_id)
    form = forms.SplitForm()
    if form.validate_on_submit():
        _apply(
            lambda: edits.split_theme(
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
    return _done(slug, _theme_url(slug, theme), form)


@round_route("/contributions/<uuid:contribution_id>/hide", methods=["POST"])
@login_required
def hide(slug: str, round_id: int, contribution_id: uuid.UUID, part: str):
    """Hide a contribution from analysis and quotes, with a reason."""
    _membership, round_ = _round(slug, round_id, part)
    contribution = Session.get(Contribution, contribution_id)
    if contribution is None or contribution.round_id != round_.id:
        abort(404)
    form = forms.HideForm()
    if form.validate_on_submit():
        _apply(
            lambda: edits.hide_contribution(
                contribution,
                reason=HideReason(form.reason.data),
                note=form.note.data or "",
                part=part,
                actor_id=current_user.id,
            ),
            _("The contribution was hidden."),
        )
    return _done(slug, _round_url(slug, round_, part), form)
