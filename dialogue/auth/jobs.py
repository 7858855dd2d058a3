"""Mail a participant the new links they asked for, off the request.

The request for a link answers at once and the same way whether the address is known or not;
looking the address up, making the links and sending the mail happen here, so the answer's
timing does not tell either (ASVS 6.3.8). ``dialogue.core.jobs.run_untracked`` runs this without a
row in ``jobs``: nothing in the database records when a participant asked.
"""

from __future__ import annotations

from contextlib import suppress

from dialogue.auth.services import prepare_new_links
from dialogue.core import mail


def mail_new_links(email: str) -> None:
    """Send fresh links for ``email``'s dialogues; nothing for an unknown address."""
    mails = prepare_new_links(email)
    # A mail failure is logged by send_batch, with counts only.
    with suppress(mail.MailError):
        if mails:
            mail.send_batch(mails)
