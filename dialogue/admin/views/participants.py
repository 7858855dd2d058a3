"""The participants page and its forms: the list, the import of a file, the reminder times.

A large file is imported by a background job (``dialogue.admin.jobs``); the page then shows its
progress.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from dialogue.admin import forms, jobs
from dialogue.admin.services import importing, schedules
from dialogue.admin.services.participant_file import MAX_IMPORT_BYTES, ImportRefused
from dialogue.admin.views.blueprint import bp, render_page
from dialogue.core.access import admin_membership, round_or_404
from dialogue.core.db import Session
from dialogue.core.jobs.runner import JobActive
from dialogue.core.jobs.state import get_job, status
from dialogue.core.models import JobState, Membership, ReminderSchedule
from dialogue.core.views import attempt


@bp.get("/participants")
@login_required
def participants(slug: str):
    """Counts by group, the import, invitation and reminder forms, and the participant list."""
    return render_page(admin_membership(slug))


@bp.post("/participants/import")
@login_required
def import_participants(slug: str):
    """Import a file; any problem imports nothing and lists every problem with its line."""
    membership = admin_membership(slug)
    form = forms.ImportForm()
    if not form.validate_on_submit():
        return render_page(membership, 422, import_form=form)
    upload = form.file.data
    try:
        data = upload.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            raise RequestEntityTooLarge
        if jobs.is_large(data, upload.filename or ""):
            return _start_import_job(membership, data, upload.filename or "")
        result = importing.import_participants(
            membership.dialogue, data, upload.filename or "", current_user.id
        )
    except ImportRefused as exc:
        return render_page(membership, 422, import_form=form, refused=exc.message)
    if result.problems:
        return render_page(membership, 422, import_form=form, problems=result.problems)
    # Committed by hand: a file with problems is an outcome shown on the page, not a refusal,
    # and a large file goes to a job; ``attempt`` fits neither.
    Session.commit()
    flash(
        _(
            "Import done: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.",
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        ),
        "success",
    )
    if kept := importing.names_kept_message(result):
        flash(kept, "info")
    return redirect(url_for("admin.participants", slug=slug))


def _start_import_job(membership: Membership, data: bytes, filename: str):
    """Hand a large file to a background job; the page shows its progress."""
    try:
        job_id = jobs.start_import(membership.dialogue, data, filename, current_user.id)
    except JobActive:
        flash(_("An import is running already. Wait until it has finished."), "info")
    else:
        job = get_job(job_id)
        if job is not None and job.state is JobState.DONE:
            flash(job.message, "success")
        elif job is None or job.state is not JobState.FAILED:
            flash(_("The import has started. This page shows how far it has come."), "info")
    return redirect(url_for("admin.participants", slug=membership.dialogue.slug))


@bp.get("/participants/jobs/<import_job_id>")
@login_required
def job_status(slug: str, import_job_id: str):
    """How far an import job is, as JSON for the progress bar's script."""
    membership = admin_membership(slug)
    job = get_job(import_job_id)
    if job is None or job.kind != jobs.KIND or job.key != jobs.job_key(membership.dialogue):
        abort(404)
    body = status(job)
    body["message"] = jobs.stage_label(job)
    return jsonify(body)


@bp.post("/participants/schedules/<int:round_id>")
@login_required
def add_schedule(slug: str, round_id: int):
    """Add a reminder time to a round; the scheduler (``dialogue tick``) sends it."""
    membership = admin_membership(slug)
    round_ = round_or_404(membership, round_id)
    form = forms.ScheduleForm(prefix=f"schedule{round_id}")
    outcome = attempt(
        lambda: schedules.add_schedule(round_, form.hours, current_user.id),
        form,
        conflict=_("A reminder at that time is set already."),
    )
    if outcome.message is not None:
        if form.errors:
            return render_page(membership, 422, schedule_forms={round_id: form})
        # Refused by the rule (closed round, time set already): the form may not be shown.
        flash(outcome.message, "error")
        return render_page(membership, 422)
    flash(_("The reminder time is saved."), "success")
    return redirect(url_for("admin.participants", slug=slug, _anchor="schedule-heading"))


@bp.post("/participants/schedules/<int:round_id>/<int:schedule_id>/remove")
@login_required
def remove_schedule(slug: str, round_id: int, schedule_id: int):
    """Remove a reminder time; reminders it sent stay in the log."""
    membership = admin_membership(slug)
    round_ = round_or_404(membership, round_id)
    schedule = Session.get(ReminderSchedule, schedule_id)
    if schedule is None or schedule.round_id != round_.id:
        abort(404)
    outcome = attempt(
        lambda: schedules.remove_schedule(schedule, current_user.id), forms.RemoveScheduleForm()
    )
    if outcome.message is not None:
        abort(400)
    flash(_("The reminder time is removed."), "success")
    return redirect(url_for("admin.participants", slug=slug, _anchor="schedule-heading"))
