"""Invitations and reminders: confirm what is sent to how many, then send.

Mails are sent after the commit, so that every link in a sent mail is stored; a mail server
failing half-way leaves valid links behind and the admin can simply send again.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from dialogue.admin import forms, queries
from dialogue.admin.services import sends
from dialogue.admin.views.blueprint import bp
from dialogue.core import mail
from dialogue.core.access import admin_membership, round_or_404
from dialogue.core.errors import render_error
from dialogue.core.views import attempt


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
