"""Invitation and reminder mails, each with a fresh login link.

Operations flush and never commit; the view or command commits. Mails are *prepared* here (each
with a fresh login link) and sent by the caller after the commit: a sent mail cannot be taken
back, so its link must already be stored when it leaves.

Anonymity: reminders go to every active participant, always (TARGETS A8). Choosing only those
who have not contributed would make the count of recipients, the memberships a reminder
rewrites and the mail server's log each tell who has contributed.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from dialogue.admin.queries import active_participants, participants_select
from dialogue.auth.services.logins import link_lifetime, link_mail
from dialogue.core.audit import record_event
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.mail import OutgoingMail
from dialogue.core.models import (
    Dialogue,
    KeptLink,
    MailSend,
    Membership,
    Person,
    ReminderSchedule,
    Round,
    RoundState,
    SendKind,
)


class RoundNotOpen(Exception):
    """Reminders are for open rounds only."""


def keep_earlier_links(dialogue: Dialogue, *, replace: bool) -> None:
    """Before a send writes new links: keep the links sent earlier working, or end them all.

    Kept, each active participant's current link moves to ``KeptLink`` until it expires, for
    those who used theirs as for those who did not: a used link is refused by the session
    store, and a choice by use would tell who has logged in (TARGETS A8).
    """
    now = utcnow()
    members = select(Membership.id).where(Membership.dialogue_id == dialogue.id)
    ended = KeptLink.membership_id.in_(members)
    if not replace:
        ended = ended & (KeptLink.expires_at <= now)
    Session.execute(delete(KeptLink).where(ended))
    if not replace:
        Session.execute(
            insert(KeptLink).from_select(
                ["membership_id", "token_hash", "expires_at"],
                participants_select(dialogue)
                .join(Person)
                .where(
                    Person.is_active,
                    Membership.token_hash.is_not(None),
                    Membership.token_expires_at > now,
                )
                .with_only_columns(
                    Membership.id, Membership.token_hash, Membership.token_expires_at
                ),
            )
        )


def _log_send(
    dialogue: Dialogue,
    kind: SendKind,
    count: int,
    actor_id: int | None,
    *,
    replace: bool,
    round_: Round | None = None,
    schedule: ReminderSchedule | None = None,
) -> None:
    Session.add(
        MailSend(
            dialogue_id=dialogue.id,
            round_id=round_.id if round_ is not None else None,
            kind=kind,
            count=count,
            actor_id=actor_id,
            scheduled=schedule is not None,
            schedule_id=schedule.id if schedule is not None else None,
            replaced_links=replace,
        )
    )
    Session.flush()


def prepare_invitations(
    dialogue: Dialogue, actor_id: int | None, *, replace_links: bool = False
) -> list[OutgoingMail]:
    """An invitation with a fresh link for every active participant, logged as one send.

    Links sent earlier keep working unless ``replace_links``.
    """
    keep_earlier_links(dialogue, replace=replace_links)
    lifetime = link_lifetime(dialogue)
    mails = [
        link_mail(membership, "invitation", lifetime)
        for membership in active_participants(dialogue)
    ]
    _log_send(dialogue, SendKind.INVITATION, len(mails), actor_id, replace=replace_links)
    record_event(actor_id, "participants.invited", dialogue, count=len(mails))
    return mails


def prepare_reminders(
    round_: Round,
    actor_id: int | None,
    *,
    replace_links: bool = False,
    schedule: ReminderSchedule | None = None,
) -> list[OutgoingMail]:
    """A reminder with a fresh link for every active participant, whether they wrote or not.

    Logged as one send (with its ``schedule`` when the scheduler sends it). Links sent earlier
    keep working unless ``replace_links``.

    Raises
    ------
    RoundNotOpen
        When the round is not open now.
    """
    if round_.state_at(utcnow()) is not RoundState.OPEN:
        raise RoundNotOpen
    dialogue = round_.dialogue
    keep_earlier_links(dialogue, replace=replace_links)
    lifetime = link_lifetime(dialogue)
    mails = [
        link_mail(membership, "reminder", lifetime, round_=round_)
        for membership in active_participants(dialogue)
    ]
    _log_send(
        dialogue,
        SendKind.REMINDER,
        len(mails),
        actor_id,
        replace=replace_links,
        round_=round_,
        schedule=schedule,
    )
    record_event(
        actor_id,
        "participants.reminded",
        dialogue,
        subject=round_.title,
        round_id=round_.id,
        count=len(mails),
    )
    return mails
