"""Finding accounts: by e-mail, the accounts page's lists, who is beyond an admin's reach."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager

from dialogue.core.db import Session
from dialogue.core.models import Membership, Person, Role


class UnknownPerson(LookupError):
    """No account has this e-mail address."""


def find_person(email: str) -> Person:
    """The account with this e-mail address (active or not), or ``UnknownPerson``."""
    person = Session.scalar(select(Person).where(Person.email == email.strip().lower()))
    if person is None:
        raise UnknownPerson(email)
    return person


#: Person ids per ``IN (...)`` query: well below every backend's parameter limit.
_CHUNK = 500


def beyond_reach(person_ids: Iterable[int], admin_id: int | None) -> set[int]:
    """Those of ``person_ids`` who belong to a dialogue that ``admin_id`` does not administer.

    ``None`` is the operator at the command line, who reaches everybody.
    """
    if admin_id is None:
        return set()
    administered = select(Membership.dialogue_id).where(
        Membership.person_id == admin_id, Membership.role == Role.ADMIN
    )
    ids, found = list(person_ids), set()
    for start in range(0, len(ids), _CHUNK):
        found.update(
            Session.scalars(
                select(Membership.person_id)
                .where(
                    Membership.person_id.in_(ids[start : start + _CHUNK]),
                    Membership.dialogue_id.not_in(administered),
                )
                .distinct()
            )
        )
    return found


def staff(dialogue_id: int) -> list[Membership]:
    """The dialogue's staff, by name."""
    return list(
        Session.scalars(
            select(Membership)
            .join(Person)
            .options(contains_eager(Membership.person))
            .where(Membership.dialogue_id == dialogue_id, Membership.role != Role.PARTICIPANT)
            .order_by(Person.name, Person.email)
        )
    )


def matching_participants(dialogue_id: int, search: str):
    """The participants whose name, e-mail address or department contains ``search``.

    Matched in the database, so that a search finds a person on any page of a long list.
    """
    statement = (
        select(Membership)
        .join(Person)
        .options(contains_eager(Membership.person))
        .where(Membership.dialogue_id == dialogue_id, Membership.role == Role.PARTICIPANT)
    )
    if search:
        pattern = f"%{search}%"
        statement = statement.where(
            or_(
                Person.name.ilike(pattern),
                Person.email.ilike(pattern),
                Membership.department.ilike(pattern),
            )
        )
    return statement
