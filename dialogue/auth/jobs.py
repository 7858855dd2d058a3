"""Mail a participant the new links they asked for, or the link to join an open dialogue.

The request for a link answers at once and the same way whether the address is known or not;
looking the address up, making the links and sending the mail happen here, so the answer's
timing does not tell either (ASVS 6.3.8). ``dialogue.core.jobs.untracked.run_untracked`` runs
this without a row in ``jobs``: nothing in the database records when a participant asked.
"""

from __future__ import annotations

from contextlib import suppress

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from dialogue.auth.services import joining
from dialogue.auth.services.logins import link_lifetime, link_mail, prepare_new_links
from dialogue.core import mail
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Role
from dialogue.core.urls import external_url


def mail_new_links(email: str) -> None:
    """Send fresh links for ``email``'s dialogues; nothing for an unknown address."""
    mails = prepare_new_links(email)
    # A mail failure is logged by send_batch, with counts only.
    with suppress(mail.MailError):
        if mails:
            mail.send_batch(mails)


def mail_join_link(dialogue_id: int, email: str) -> None:
    """A participant gets a fresh link, an address the rule admits a link to join, others none.

    Staff of the dialogue get nothing: they log in as staff, and cannot join as participants.
    """
    dialogue = Session.get(Dialogue, dialogue_id)
    if dialogue is None or not dialogue.open_join:
        return
    member = joining.membership(dialogue, email)
    if member is not None:
        usable = member.person.is_active and member.role is Role.PARTICIPANT
        mails = [link_mail(member, "new_link", link_lifetime(dialogue))] if usable else []
    elif joining.admits(dialogue, email):
        mails = [_join_mail(dialogue, email)]
    else:
        mails = []
    with suppress(mail.MailError):
        if mails:
            mail.send_batch(mails)


def _join_mail(dialogue: Dialogue, email: str) -> mail.OutgoingMail:
    link = external_url(
        "auth.confirm_join", slug=dialogue.slug, token=joining.confirm_token(dialogue, email)
    )
    with force_locale(dialogue.language):
        subject = _("Join the dialogue: %(title)s", title=dialogue.title)
        body = render_template("mail/join.txt", dialogue=dialogue, link=link)
    return mail.OutgoingMail(email, subject, body)
