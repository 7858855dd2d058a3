"""Aggregate reports for staff: participation counts with small groups suppressed.

Who contributed is known only as a set of pseudonyms; mapping members to pseudonyms needs the
anonymity key and happens here, in memory, so that only counts ever leave this module.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from analysis.consensus import suppress_small_groups
from dialogue.anonymity import author_pseudonym
from dialogue.db import Session
from dialogue.models import Contribution, Membership, Role, Round


@dataclass(frozen=True)
class GroupRow:
    """One department or role group; None where the group is too small to show."""

    name: str
    invited: int | None
    contributors: int | None


@dataclass(frozen=True)
class Participation:
    """How many took part in a round, overall and by group."""

    invited: int
    contributors: int | None
    contributions: int
    by_department: list[GroupRow]
    by_role_group: list[GroupRow]


def _breakdown(invited: Counter, contributed: Counter, min_size: int) -> list[GroupRow]:
    shown_invited, _ = suppress_small_groups(invited, min_size, show_total=True)
    # A group too small to invite is too small to report on at all.
    eligible = {g: contributed.get(g, 0) for g, n in shown_invited.items() if n is not None}
    shown_contributors, _ = suppress_small_groups(eligible, min_size, show_total=True)
    return [
        GroupRow(name, shown_invited[name], shown_contributors.get(name))
        for name in sorted(invited)
    ]


def round_participation(round_: Round) -> Participation:
    """Participation in ``round_`` for staff screens: counts only, small groups suppressed."""
    dialogue = round_.dialogue
    secret = current_app.config["ANON_SECRET"]
    members = Session.execute(
        select(Membership.person_id, Membership.department, Membership.role_group).where(
            Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT
        )
    ).all()
    authors = set(
        Session.scalars(
            select(Contribution.author).where(Contribution.round_id == round_.id).distinct()
        )
    )
    by_department, by_role_group = Counter(), Counter()
    contributed_department, contributed_role_group = Counter(), Counter()
    for person_id, department, role_group in members:
        department, role_group = department or "—", role_group or "—"
        by_department[department] += 1
        by_role_group[role_group] += 1
        if author_pseudonym(secret, dialogue.id, person_id) in authors:
            contributed_department[department] += 1
            contributed_role_group[role_group] += 1
    contributors = sum(contributed_department.values())
    k = dialogue.min_group_size
    return Participation(
        invited=len(members),
        contributors=contributors if contributors >= k else None,
        contributions=Session.scalar(
            select(func.count()).select_from(Contribution).where(Contribution.round_id == round_.id)
        ),
        by_department=_breakdown(by_department, contributed_department, k),
        by_role_group=_breakdown(by_role_group, contributed_role_group, k),
    )
