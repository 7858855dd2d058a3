"""The workbench's round pages: the rounds, a part's themes and unassigned texts, run and undo."""

from __future__ import annotations

from flask import abort, flash, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from analysis.embed import semantic_installed
from dialogue.core.db import Session
from dialogue.core.jobs.runner import JobActive
from dialogue.core.jobs.state import get_job, latest_job, status
from dialogue.core.models import JobState, Round, Theme
from dialogue.core.models.analysis import ACTIVE_STATES
from dialogue.workbench import forms, jobs
from dialogue.workbench.jobs import unavailable_message
from dialogue.workbench.queries import figures, pages
from dialogue.workbench.services import edits
from dialogue.workbench.views.blueprint import (
    apply_edit,
    bp,
    consultant,
    consultant_round,
    done,
    round_route,
    round_url,
)
from rounds.theme_run.reading import get_latest_run, theme_parts


@bp.route("/")
@login_required
def index(slug: str):
    """The dialogue's rounds, with how many themes each has and when it was last analysed."""
    membership = consultant(slug)
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
    membership, round_ = consultant_round(slug, round_id, part)
    parts = theme_parts(round_)
    if not part and parts and "" not in dict(parts):  # no plain part: the first one is shown
        part = g.workbench_part = parts[0][0]
    shown = pages.round_workbench(round_, part)
    page = render_template(
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
        **shown,
    )
    # Accepted, not done: a job computes the themes' figures, and the page says so.
    return page, 202 if shown["themes"] is None else 200


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
    _membership, round_ = consultant_round(slug, round_id, part)
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
    return done(slug, round_url(slug, round_, part), form)


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
    _membership, round_ = consultant_round(slug, round_id, part)
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
    _membership, round_ = consultant_round(slug, round_id, part)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        apply_edit(
            lambda: edits.undo_last_edit(round_, part=part, actor_id=current_user.id),
            _("The last edit was undone."),
        )
    return done(slug, round_url(slug, round_, part), form)


@round_route("/unassigned")
@login_required
def unassigned(slug: str, round_id: int, part: str):
    """The part's texts that none of its themes holds, paginated and searchable."""
    membership, round_ = consultant_round(slug, round_id, part)
    counted = figures.theme_figures(round_, part)
    if counted is None:  # counting the texts without a theme is the job's: seconds at a million
        return render_template("synthesis/pending.html"), 202
    query = request.args.get("q", "").strip()[:200]
    page = pages.page_of(
        pages.unassigned_contributions(round_, part),
        page=request.args.get("page", 1, type=int) or 1,
        query=query,
        total=None if query else counted["n_unassigned"],
    )
    return render_template(
        "workbench/contributions.html",
        dialogue=membership.dialogue,
        round_=round_,
        theme=None,
        page=page,
        rows=[(contribution, None) for contribution in page.rows],
        targets=figures.active_themes(round_, part),
        move_form=forms.MoveForm(),
        hide_form=forms.HideForm(),
    )
