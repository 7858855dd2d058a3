"""Participant administration: import, invitation and reminder mails, and what the admin sees.

Operations flush and never commit; the view or command commits. Mails are *prepared* here (each
with a fresh login link) and sent by the caller after the commit: a sent mail cannot be taken
back, so its link must already be stored when it leaves.

Anonymity: reminders go to every active participant, always (TARGETS A8). Choosing only those
who have not contributed would make the count of recipients, the memberships a reminder
rewrites and the mail server's log each tell who has contributed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, tuple_, update
from sqlalchemy.orm import joinedload

from analysis.consensus import suppress_small_groups
from analysis.suppression import why_hidden
from dialogue.accounts.queries import beyond_reach
from dialogue.admin.importing import ParticipantRow, Problem, parse_participants
from dialogue.auth.services import link_lifetime, link_mail, mail_text
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.errors import UserError
from dialogue.core.i18n import ROLE_LABELS
from dialogue.core.mail import OutgoingMail
from dialogue.core.models import (
    AuditEvent,
    Dialogue,
    KeptLink,
    MailSend,
    Membership,
    Person,
    ReminderSchedule,
    Role,
    Round,
    RoundState,
    SendKind,
)
from dialogue.core.results_cache import cached
from dialogue.core.results_cache import invalidate as invalidate_results
from rounds.results.segments import forget_author_segments

#: A login link lives until the dialogue's last round closes, and never less than this.

#: E-mail addresses per ``IN (...)`` query: well below every backend's parameter limit.
LOOKUP_CHUNK = 500


class RoundNotOpen(Exception):
    """Reminders are for open rounds only."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did, or the problems that stopped it (then nothing was saved)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    #: Names the file would change, kept: their people belong to dialogues beyond the importer.
    names_kept: int = 0


def names_kept_message(result: ImportResult) -> str | None:
    """What to tell the admin when the import kept names it would have changed, if anything."""
    if not result.names_kept:
        return None
    return ngettext(
        "%(num)d name was not changed: the person also belongs to a dialogue you do not "
        "administer. Ask the operator to change it.",
        "%(num)d names were not changed: the people also belong to a dialogue you do not "
        "administer. Ask the operator to change them.",
        result.names_kept,
    )


@dataclass(frozen=True)
class GroupCounts:
    """Participants per group with small groups suppressed (None), and the total or None."""

    groups: dict[str, int | None]
    total: int | None
    #: Why each hidden group is hidden (``analysis.suppression.why_hidden``).
    hidden_as: dict[str, str] = field(default_factory=dict)


def record(actor_id: int | None, dialogue: Dialogue, action: str, subject: str = "", **details):
    """Add an audit event; ``details`` hold counts and ids, never identities."""
    event = AuditEvent(
        actor_id=actor_id, dialogue_id=dialogue.id, action=action, subject=subject, details=details
    )
    Session.add(event)
    Session.flush()
    return event


# --- import -------------------------------------------------------------------------------------


def import_participants(
    dialogue: Dialogue,
    data: bytes,
    filename: str,
    actor_id: int | None,
    progress: Callable[[], None] | None = None,
) -> ImportResult:
    """Add or update the participants listed in a CSV or Excel file, or none if any row is bad.

    ``progress`` is called once the file is read and checked, before saving starts. Stored
    results of the dialogue's rounds are forgotten: breakdowns by group may change.

    Raises
    ------
    dialogue.admin.importing.ImportRefused
        When the file as a whole cannot be read.
    """
    rows, problems = parse_participants(data, filename)
    problems = problems + _staff_conflicts(dialogue, rows)
    if problems:
        return ImportResult(problems=sorted(problems, key=lambda problem: problem.line))
    if progress is not None:
        progress()
    created, updated, unchanged, kept = _apply(dialogue, rows, actor_id)
    invalidate_results(dialogue_id=dialogue.id)
    forget_author_segments(dialogue.id)
    record(
        actor_id,
        dialogue,
        "participants.imported",
        created=created,
        updated=updated,
        unchanged=unchanged,
        **({"names_kept": kept} if kept else {}),
    )
    return ImportResult(created=created, updated=updated, unchanged=unchanged, names_kept=kept)


def _staff_conflicts(dialogue: Dialogue, rows: Sequence[ParticipantRow]) -> list[Problem]:
    """Rows naming a staff member of this dialogue: an import never changes a staff role."""
    staff = {
        email.lower(): role
        for email, role in Session.execute(
            select(Person.email, Membership.role)
            .join(Membership)
            .where(Membership.dialogue_id == dialogue.id, Membership.role != Role.PARTICIPANT)
        )
    }
    return [
        Problem(
            row.line,
            _l(
                "%(value)s is %(role)s in this dialogue and cannot be imported as a participant.",
                value=row.email,
                role=ROLE_LABELS[staff[row.email]],
            ),
        )
        for row in rows
        if row.email in staff
    ]


def _chunks(values: Sequence, size: int = LOOKUP_CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _apply(
    dialogue: Dialogue, rows: Sequence[ParticipantRow], actor_id: int | None
) -> tuple[int, int, int, int]:
    """Write the rows with bulk statements: a few queries per 500 rows, not one per row.

    A name is one per person, shared by all their dialogues: it is changed only if the importer
    administers every one of them (``dialogue.accounts.queries.beyond_reach``), and kept otherwise.
    Returns the numbers of participants created, updated and unchanged, and of names kept.
    """
    people, memberships = _existing(dialogue, [row.email for row in rows])
    new_people = [row for row in rows if row.email not in people]
    if new_people:
        inserted = Session.execute(
            insert(Person).returning(Person.id, Person.email, sort_by_parameter_order=True),
            [{"email": row.email, "name": row.name} for row in new_people],
        )
        for person_id, email in inserted:
            people[email] = (person_id, None)

    renames, kept = _renames(people, rows, actor_id)
    renamed = [{"id": person_id, "name": name} for person_id, name in renames.items()]
    joined, changed = [], []
    updated = 0
    for row in rows:
        person_id = people[row.email][0]
        name_changed = person_id in renames
        segment = {"department": row.department, "role_group": row.role_group}
        if person_id not in memberships:
            joined.append(
                {"person_id": person_id, "dialogue_id": dialogue.id, "role": Role.PARTICIPANT}
                | segment
            )
            continue
        membership_id, department, role_group = memberships[person_id]
        segment_changed = (department, role_group) != (row.department, row.role_group)
        if segment_changed:
            changed.append({"id": membership_id} | segment)
        if segment_changed or name_changed:
            updated += 1
    for statement, parameters in (
        (update(Person), renamed),
        (insert(Membership), joined),
        (update(Membership), changed),
    ):
        if parameters:
            Session.execute(statement, parameters)
    # Bulk statements bypass the identity map; objects already loaded must not keep old values.
    Session.expire_all()
    return len(joined), updated, len(rows) - len(joined) - updated, kept


def _renames(people: dict, rows: Sequence[ParticipantRow], actor_id: int | None):
    """The new names the file gives people already known, by person id, and how many are kept.

    A name is kept when its person belongs to a dialogue the importer does not administer.
    """
    wanted = {
        people[row.email][0]: row.name
        for row in rows
        if people[row.email][1] not in (None, row.name)
    }
    shared = beyond_reach(wanted, actor_id)
    allowed = {person_id: name for person_id, name in wanted.items() if person_id not in shared}
    return allowed, len(wanted) - len(allowed)


def _existing(dialogue: Dialogue, emails: Sequence[str]):
    """People already known by these addresses, and every membership of the dialogue."""
    people: dict[str, tuple[int, str | None]] = {}
    for chunk in _chunks(emails):
        for person_id, email, name in Session.execute(
            select(Person.id, Person.email, Person.name).where(Person.email.in_(chunk))
        ):
            people[email] = (person_id, name)
    memberships = {
        person_id: (membership_id, department, role_group)
        for person_id, membership_id, department, role_group in Session.execute(
            select(
                Membership.person_id,
                Membership.id,
                Membership.department,
                Membership.role_group,
            ).where(Membership.dialogue_id == dialogue.id)
        )
    }
    return people, memberships


# --- counts and listings ------------------------------------------------------------------------


def _participants(dialogue: Dialogue):
    return select(Membership).where(
        Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT
    )


def participant_count(dialogue: Dialogue) -> int:
    """How many participants the dialogue has."""
    return Session.scalar(select(func.count()).select_from(_participants(dialogue).subquery()))


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


# --- mails with login links ---------------------------------------------------------------------


def _active_participants(dialogue: Dialogue) -> list[Membership]:
    return list(
        Session.scalars(
            _participants(dialogue).join(Person).where(Person.is_active).order_by(Membership.id)
        )
    )


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
                _participants(dialogue)
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
        for membership in _active_participants(dialogue)
    ]
    _log_send(dialogue, SendKind.INVITATION, len(mails), actor_id, replace=replace_links)
    record(actor_id, dialogue, "participants.invited", count=len(mails))
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
        for membership in _active_participants(dialogue)
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
    record(
        actor_id,
        dialogue,
        "participants.reminded",
        subject=round_.title,
        round_id=round_.id,
        count=len(mails),
    )
    return mails


def recipient_count(dialogue: Dialogue) -> int:
    """How many people an invitation or reminder goes to: every active participant."""
    return Session.scalar(
        select(func.count()).select_from(
            _participants(dialogue).join(Person).where(Person.is_active).subquery()
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


# --- scheduled reminders ------------------------------------------------------------------------


class ScheduleRefused(UserError):
    """A reminder time that cannot be kept."""


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


def add_schedule(round_: Round, hours_before_close: int, actor_id: int | None) -> ReminderSchedule:
    """Send a reminder ``hours_before_close`` hours before ``round_`` closes.

    Raises
    ------
    ScheduleRefused
        When the round has closed or the same time is set already.
    """
    if round_.state_at(utcnow()) is RoundState.CLOSED:
        raise ScheduleRefused(_l("The round has closed: it needs no reminders."))
    exists = Session.scalar(
        select(ReminderSchedule.id).where(
            ReminderSchedule.round_id == round_.id,
            ReminderSchedule.hours_before_close == hours_before_close,
        )
    )
    if exists is not None:
        raise ScheduleRefused(_l("A reminder at that time is set already."))
    schedule = ReminderSchedule(round=round_, hours_before_close=hours_before_close)
    Session.add(schedule)
    Session.flush()
    record(
        actor_id,
        round_.dialogue,
        "reminders.scheduled",
        subject=round_.title,
        round_id=round_.id,
        hours_before_close=hours_before_close,
    )
    return schedule


def remove_schedule(schedule: ReminderSchedule, actor_id: int | None) -> None:
    """Drop a reminder time; a reminder it sent stays in the log."""
    round_ = schedule.round
    record(
        actor_id,
        round_.dialogue,
        "reminders.unscheduled",
        subject=round_.title,
        round_id=round_.id,
        hours_before_close=schedule.hours_before_close,
    )
    Session.delete(schedule)
    Session.flush()


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
