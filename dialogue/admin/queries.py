"""What the admin's participants page shows: counts by group, the list, rounds, sends, reminders.

Deliberately nothing about participation: counts are suppressed below the dialogue's group size
as in every report, and the list holds only what the admin imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import joinedload

from analysis.suppression import suppress_small_groups, why_hidden
from dialogue.auth.services.logins import link_lifetime, mail_text
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import (
    Dialogue,
    MailSend,
    Membership,
    Person,
    ReminderSchedule,
    Role,
    Round,
    RoundState,
)
from dialogue.core.results_cache.store import cached


def participants_select(dialogue: Dialogue):
    """The dialogue's participants' memberships, as a statement to refine."""
    return select(Membership).where(
        Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT
    )


def participant_count(dialogue: Dialogue) -> int:
    """How many participants the dialogue has."""
    return Session.scalar(
        select(func.count()).select_from(participants_select(dialogue).subquery())
    )


@dataclass(frozen=True)
class GroupCounts:
    """Participants per group with small groups suppressed (None), and the total or None."""

    groups: dict[str, int | None]
    total: int | None
    #: Why each hidden group is hidden (``analysis.suppression.why_hidden``).
    hidden_as: dict[str, str] = field(default_factory=dict)


def group_counts(dialogue: Dialogue, column) -> GroupCounts:
    """Participants per value of ``column``, small groups suppressed as in every report.

    A missing value counts as the group "" (shown as "not given").
    """
    counts = {
        (value or ""): count
        for value, count in Session.execute(
            select(column, func.count())
            .where(Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT)
            .group_by(column)
        )
    }
    groups, total = suppress_small_groups(counts, dialogue.min_group_size, show_total=True)
    hidden_as = {
        name: why_hidden(counts[name], dialogue.min_group_size)
        for name, shown in groups.items()
        if shown is None
    }
    return GroupCounts(dict(sorted(groups.items())), total, hidden_as)


def participant_list(
    dialogue: Dialogue,
    page: int,
    per_page: int,
    *,
    after: int | None = None,
    before: int | None = None,
) -> list[tuple]:
    """One page of (person id, name, e-mail, department, role group): data the admin imported.

    Deliberately nothing about participation: no login, contribution or reminder status.
    ``after`` / ``before``: the person id that ends the previous page / starts the next one.
    From there the page is read by key (name, e-mail; the e-mail is unique) along the index:
    an OFFSET sorts and skips every earlier participant, a second at page 1,000 of 100,000.
    A page number alone (typed into the address) starts at its first participant, looked up in
    :func:`page_starts`; only when that participant is gone is the page found by OFFSET.
    """
    statement = (
        select(Person.id, Person.name, Person.email, Membership.department, Membership.role_group)
        .join(Membership)
        .where(Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT)
    )
    start = None
    if not (after or before) and page > 1:
        starts = page_starts(dialogue, per_page)
        start = starts[page - 1] if page <= len(starts) else None
    anchor = None
    if after or before or start:
        anchor = Session.execute(
            statement.with_only_columns(Person.name, Person.email).where(
                Person.id == (after or before or start)
            )
        ).first()
    key = tuple_(Person.name, Person.email)
    if anchor is None:
        statement = statement.order_by(Person.name, Person.email).offset((page - 1) * per_page)
    elif after or start:
        beyond = key > tuple_(*anchor) if after else key >= tuple_(*anchor)
        statement = statement.where(beyond).order_by(Person.name, Person.email)
    else:
        backwards = statement.where(key < tuple_(*anchor))
        rows = Session.execute(
            backwards.order_by(Person.name.desc(), Person.email.desc()).limit(per_page)
        ).all()
        return rows[::-1]
    return list(Session.execute(statement.limit(per_page)))


def page_starts(dialogue: Dialogue, per_page: int) -> tuple[int, ...]:
    """The person id that starts each page of the participant list, in one sort, kept.

    Stored like a closed round's results (``dialogue.core.results_cache``, under the dialogue's
    first round) until the membership changes; person ids only, never a name. A rename
    meanwhile can shift a typed page by a row; the pages' own links are exact.
    """
    if not dialogue.rounds:
        return ()
    ranked = (
        select(
            Person.id,
            func.row_number().over(order_by=(Person.name, Person.email)).label("place"),
        )
        .join(Membership)
        .where(Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT)
        .subquery()
    )
    first = select(ranked.c.id).where((ranked.c.place - 1) % per_page == 0).order_by(ranked.c.place)
    return cached(
        dialogue.rounds[0],
        f"participants:starts:{per_page}",
        lambda: tuple(Session.scalars(first)),
        members=True,
        always=True,
    )


def open_rounds(dialogue: Dialogue) -> list[Round]:
    """The rounds open now, the only ones a reminder makes sense for."""
    now = utcnow()
    return [round_ for round_ in dialogue.rounds if round_.state_at(now) is RoundState.OPEN]


def active_participants(dialogue: Dialogue) -> list[Membership]:
    """The participants who may log in, in the order they were added."""
    return list(
        Session.scalars(
            participants_select(dialogue)
            .join(Person)
            .where(Person.is_active)
            .order_by(Membership.id)
        )
    )


def recipient_count(dialogue: Dialogue) -> int:
    """How many people an invitation or reminder goes to: every active participant."""
    return Session.scalar(
        select(func.count()).select_from(
            participants_select(dialogue).join(Person).where(Person.is_active).subquery()
        )
    )


def preview(dialogue: Dialogue, kind: str, round_: Round | None = None) -> tuple[str, str]:
    """The subject and text of the mail a send would write, with placeholders for the person."""
    with force_locale(dialogue.language):
        name, link = _("[name]"), _("[personal link]")
    expires_at = utcnow() + link_lifetime(dialogue)
    context = {"round_": round_} if round_ is not None else {}
    return mail_text(dialogue, kind, name=name, link=link, expires_at=expires_at, **context)


def send_log(dialogue: Dialogue) -> list[MailSend]:
    """The dialogue's sends, newest first: counts, never recipients."""
    return list(
        Session.scalars(
            select(MailSend)
            .options(joinedload(MailSend.round))
            .where(MailSend.dialogue_id == dialogue.id)
            .order_by(MailSend.sent_at.desc(), MailSend.id.desc())
        )
    )


def schedulable_rounds(dialogue: Dialogue) -> list[Round]:
    """Rounds that have not closed yet: the only ones a reminder time can be set for."""
    now = utcnow()
    return [round_ for round_ in dialogue.rounds if round_.state_at(now) is not RoundState.CLOSED]


def schedules(dialogue: Dialogue) -> dict[int, list[ReminderSchedule]]:
    """Each round's reminder times, by round id, earliest first."""
    found: dict[int, list[ReminderSchedule]] = {round_.id: [] for round_ in dialogue.rounds}
    for schedule in Session.scalars(
        select(ReminderSchedule)
        .join(Round)
        .where(Round.dialogue_id == dialogue.id)
        .order_by(ReminderSchedule.hours_before_close.desc())
    ):
        found[schedule.round_id].append(schedule)
    return found


def due_schedules(now) -> list[ReminderSchedule]:
    """Reminder times that have come, in open rounds, whose reminder has not been sent."""
    sent = select(MailSend.schedule_id).where(MailSend.schedule_id.is_not(None))
    candidates = Session.scalars(
        select(ReminderSchedule)
        .join(Round)
        .options(joinedload(ReminderSchedule.round))
        .where(Round.opens_at <= now, Round.closes_at > now, ReminderSchedule.id.not_in(sent))
        .order_by(ReminderSchedule.id)
    )
    return [schedule for schedule in candidates if schedule.due_at <= now]
