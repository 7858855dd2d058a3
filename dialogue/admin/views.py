"""The admin's participants page: import, invitations, reminders, counts and the list.

A large file is imported by a background job (``dialogue.admin.jobs``); the page then shows its
progress.

Mails are sent after the commit, so that every link in a sent mail is stored; a mail server
failing half-way leaves valid links behind and the admin can simply send again.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from dialogue.admin import forms, jobs, queries
from dialogue.admin.services import importing, schedules, sends
from dialogue.admin.services.participant_file import MAX_IMPORT_BYTES, ImportRefused
from dialogue.auth.services import joining, oidc
from dialogue.core import mail
from dialogue.core.access import PER_PAGE, admin_membership, round_or_404
from dialogue.core.db import Session
from dialogue.core.errors import render_error
from dialogue.core.jobs.runner import JobActive
from dialogue.core.jobs.state import get_job, latest_job, status
from dialogue.core.models import JobState, Membership, ReminderSchedule
from dialogue.core.views import attempt

bp = Blueprint("admin", __name__, url_prefix="/d/<slug>/admin")

#: Multipart framing around the file: the form fields and boundaries.
_FORM_OVERHEAD = 64 * 1024


@bp.url_value_preprocessor
def allow_large_uploads(endpoint, _values):
    """Lift the request size limit for the import only.

    Runs before CSRF protection reads the body, which a ``before_request`` hook would not.
    """
    if endpoint == "admin.import_participants":
        request.max_content_length = MAX_IMPORT_BYTES + _FORM_OVERHEAD


@bp.errorhandler(413)
def file_too_large(_exc):
    """A file over the limit: say what the limit is."""
    return render_error(
        413,
        _(
            "The file is larger than %(size)s MB. Split it into smaller files.",
            size=MAX_IMPORT_BYTES // (1024 * 1024),
        ),
    )


def render_page(membership: Membership, status: int = 200, **context):
    """The participants page with fresh forms unless the caller passes a submitted one."""
    dialogue = membership.dialogue
    total = queries.participant_count(dialogue)
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    context.setdefault("import_form", forms.ImportForm())
    schedulable = queries.schedulable_rounds(dialogue)
    schedule_forms = {
        round_.id: forms.ScheduleForm(prefix=f"schedule{round_.id}", formdata=None)
        for round_ in schedulable
    }
    schedule_forms.update(context.pop("schedule_forms", {}))
    return render_template(
        "admin/participants.html",
        membership=membership,
        dialogue=dialogue,
        total=total,
        departments=queries.group_counts(dialogue, Membership.department),
        role_groups=queries.group_counts(dialogue, Membership.role_group),
        participants=queries.participant_list(
            dialogue,
            page,
            PER_PAGE,
            after=request.args.get("after", type=int),
            before=request.args.get("before", type=int),
        ),
        page=page,
        pages=pages,
        open_rounds=queries.open_rounds(dialogue),
        schedulable_rounds=schedulable,
        schedules=queries.schedules(dialogue),
        schedule_forms=schedule_forms,
        remove_form=forms.RemoveScheduleForm(),
        send_log=queries.send_log(dialogue),
        send_kinds=forms.SEND_KIND_LABELS,
        import_job=latest_job(jobs.KIND, jobs.job_key(dialogue)),
        import_job_label=jobs.stage_label,
        outbox=mail.outbox_in_use(),
        **context,
    ), status


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


@bp.get("/participants/invite")
@login_required
def confirm_invitations(slug: str):
    """How many the invitation goes to and what it says, before anything is sent."""
    membership = admin_membership(slug)
    dialogue = membership.dialogue
    subject, body = queries.preview(dialogue, "invitation")
    return render_template(
        "admin/confirm_send.html",
        membership=membership,
        dialogue=dialogue,
        heading=_("Send invitations"),
        count=queries.recipient_count(dialogue),
        subject=subject,
        body=body,
        form=forms.InvitationForm(),
        action=url_for("admin.send_invitations", slug=slug),
    )


@bp.post("/participants/invite")
@login_required
def send_invitations(slug: str):
    """Send every active participant an invitation with a fresh link, as confirmed."""
    membership = admin_membership(slug)
    form = forms.InvitationForm()
    outcome = attempt(
        lambda: sends.prepare_invitations(
            membership.dialogue, current_user.id, replace_links=form.replace_links.data
        ),
        form,
    )
    if outcome.message is not None:
        abort(400)
    mails = outcome.result
    _deliver(
        mails,
        lambda count: ngettext(
            "Invitation sent to %(num)s participant.",
            "Invitation sent to %(num)s participants.",
            count,
        ),
    )
    return redirect(url_for("admin.participants", slug=slug))


@bp.get("/participants/remind/<int:round_id>")
@login_required
def confirm_reminders(slug: str, round_id: int):
    """How many the reminder goes to and what it says, before anything is sent."""
    membership = admin_membership(slug)
    round_ = round_or_404(membership, round_id)
    dialogue = membership.dialogue
    if round_ not in queries.open_rounds(dialogue):
        return render_error(409, _("Reminders can only be sent while the round is open."))
    subject, body = queries.preview(dialogue, "reminder", round_)
    return render_template(
        "admin/confirm_send.html",
        membership=membership,
        dialogue=dialogue,
        heading=_("Send a reminder: %(round)s", round=round_.title),
        count=queries.recipient_count(dialogue),
        subject=subject,
        body=body,
        form=forms.ReminderForm(prefix=f"round{round_id}"),
        action=url_for("admin.send_reminders", slug=slug, round_id=round_id),
    )


@bp.post("/participants/remind/<int:round_id>")
@login_required
def send_reminders(slug: str, round_id: int):
    """Remind every active participant of an open round, whether they contributed or not."""
    membership = admin_membership(slug)
    round_ = round_or_404(membership, round_id)
    form = forms.ReminderForm(prefix=f"round{round_id}")
    try:
        outcome = attempt(
            lambda: sends.prepare_reminders(
                round_, current_user.id, replace_links=form.replace_links.data
            ),
            form,
        )
    except sends.RoundNotOpen:
        return render_error(409, _("Reminders can only be sent while the round is open."))
    if outcome.message is not None:
        abort(400)
    mails = outcome.result
    _deliver(
        mails,
        lambda count: ngettext(
            "Reminder sent to %(num)s participant.", "Reminder sent to %(num)s participants.", count
        ),
    )
    return redirect(url_for("admin.participants", slug=slug))


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


def _render_sign_in(membership: Membership, form, status: int = 200):
    dialogue = membership.dialogue
    return render_template(
        "admin/sign_in.html",
        membership=membership,
        dialogue=dialogue,
        form=form,
        provider=oidc.enabled(),
        waiting=joining.waiting_count(dialogue) if dialogue.open_join else 0,
    ), status


@bp.route("/sign-in", methods=["GET", "POST"])
@login_required
def sign_in_settings(slug: str):
    """How participants get in: through the provider (which claim), and whether anyone may join."""
    membership = admin_membership(slug)
    dialogue = membership.dialogue
    form = forms.SignInSettingsForm(obj=dialogue)
    if not form.is_submitted():
        return _render_sign_in(membership, form)

    def save():
        claim = (form.oidc_claim.data or "").strip() or None
        if claim != dialogue.oidc_claim:
            oidc.allow_participant_sign_in(dialogue, claim)
        joining.set_open(
            dialogue, current_user.id, open_join=form.open_join.data, rule=form.open_rule.data or ""
        )

    outcome = attempt(save, form)
    if outcome.message is not None:
        if outcome.refusal is not None and outcome.refusal.field == "open_rule":
            form.open_rule.errors.append(outcome.message)
        elif outcome.refusal is not None:
            form.form_errors.append(outcome.message)
        return _render_sign_in(membership, form, 422)
    flash(_("The sign-in settings are saved."), "success")
    return redirect(url_for(".sign_in_settings", slug=slug), 303)


def _deliver(mails: list[mail.OutgoingMail], success) -> None:
    """Send ``mails`` and flash the outcome: counts, the outbox folder, or the failure."""
    if not mails:
        flash(_("There is nobody to send to."), "info")
        return
    try:
        delivery = mail.send_batch(mails)
    except mail.MailError as exc:
        flash(
            _(
                "The mail server failed: %(sent)s of %(total)s messages were sent. "
                "Please try again later: the links already sent keep working.",
                sent=exc.sent,
                total=len(mails),
            ),
            "error",
        )
        return
    flash(success(delivery.sent), "success")
    if delivery.refused:
        flash(
            ngettext(
                "The mail server refused %(num)s address.",
                "The mail server refused %(num)s addresses.",
                delivery.refused,
            ),
            "error",
        )
    if delivery.outbox:
        flash(
            _(
                "No mail server is configured: the messages were saved as files in %(folder)s.",
                folder=delivery.outbox,
            ),
            "info",
        )
