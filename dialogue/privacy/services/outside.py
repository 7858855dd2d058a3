"""What a removal leaves outside the database: login sessions and mails in the outbox.

Runs after the commit of the deletes in :mod:`dialogue.privacy.services.retention`.
"""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from dialogue.core.mail import outbox_in_use
from dialogue.core.sessions import end_all_sessions
from dialogue.privacy.services.retention import Removal


def forget_outside_database(removal: Removal) -> Removal:
    """After the commit: end the removed people's sessions and delete mails about the dialogue.

    A mail in the outbox (no mail server configured) is deleted when it was addressed to one
    of the removed people or links to the dialogue.
    """
    removal.sessions = sum(end_all_sessions(person_id) for person_id in removal.person_ids)
    folder = outbox_in_use()
    if folder:
        removal.mails = _delete_mails(Path(folder), set(removal.emails), f"/d/{removal.slug}/")
    return removal


def _delete_mails(folder: Path, addresses: set[str], link: str) -> int:
    deleted = 0
    for path in sorted(folder.glob("*.eml")) if folder.is_dir() else ():
        with path.open("rb") as handle:
            message = BytesParser(policy=policy.default).parse(handle)
        recipient = str(message.get("To", "")).strip().lower()
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        if recipient in addresses or link in text:
            path.unlink()
            deleted += 1
    return deleted
