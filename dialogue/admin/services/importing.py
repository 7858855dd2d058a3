"""Importing a participant list: every row checked first, then people and memberships saved in bulk.

The file is read and checked by ``participant_file``; this module applies its rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import insert, select, update

from dialogue.accounts.queries import beyond_reach
from dialogue.admin.services.participant_file import ParticipantRow, Problem, parse_participants
from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.i18n import ROLE_LABELS
from dialogue.core.models import (
    Dialogue,
    Membership,
    Person,
    Role,
)
from dialogue.core.results_cache.store import invalidate as invalidate_results
from rounds.results.segments import forget_author_segments

#: E-mail addresses per ``IN (...)`` query: well below every backend's parameter limit.
LOOKUP_CHUNK = 500


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
    dialogue.admin.services.participant_file.ImportRefused
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
    record_event(
        actor_id,
        "participants.imported",
        dialogue,
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
