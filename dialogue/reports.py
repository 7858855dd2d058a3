"""Aggregate reports for staff: participation counts with small groups suppressed.

Who contributed is known only as a set of pseudonyms; mapping members to pseudonyms needs the
anonymity key and happens in memory (``rounds.results.author_segments``), so that only counts
ever leave this module.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from analysis.consensus import suppress_small_groups
from dialogue.db import Session
from dialogue.models import Contribution, Membership, Role, Round
from dialogue.results_cache import cached, register
from rounds.results import OPEN_RESULTS_SECONDS, author_segments


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
    """Participation in ``round_`` for staff screens: counts only, small groups suppressed.

    Stored once the round has closed (see ``dialogue.results_cache``): at 100,000 members the counts
    take a keyed hash per member and a pass over every contribution. While it is open they are
    stored as long as its results (``OPEN_RESULTS_SECONDS``), so they are at most that old.
    """
    return cached(
        round_,
        "participation",
        lambda: _participation(round_),
        members=True,
        open_seconds=OPEN_RESULTS_SECONDS,
    )


def _participation(round_: Round) -> Participation:
    dialogue = round_.dialogue
    segments = author_segments(dialogue, current_app.config["ANON_SECRET"])
    by_department, by_role_group = Counter(), Counter()
    for department, role_group, count in Session.execute(
        select(Membership.department, Membership.role_group, func.count())
        .where(Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT)
        .group_by(Membership.department, Membership.role_group)
    ):
        by_department[department or "—"] += count
        by_role_group[role_group or "—"] += count
    authors = Session.scalars(
        select(Contribution.author).where(Contribution.round_id == round_.id).distinct()
    )
    contributed_department, contributed_role_group = Counter(), Counter()
    for author in authors:
        segment = segments.get(author)
        if segment is not None:  # a member who has left counts in no group
            contributed_department[segment["department"]] += 1
            contributed_role_group[segment["role_group"]] += 1
    contributors = sum(contributed_department.values())
    k = dialogue.min_group_size
    return Participation(
        invited=sum(by_department.values()),
        contributors=contributors if contributors >= k else None,
        contributions=Session.scalar(
            select(func.count()).select_from(Contribution).where(Contribution.round_id == round_.id)
        ),
        by_department=_breakdown(by_department, contributed_department, k),
        by_role_group=_breakdown(by_role_group, contributed_role_group, k),
    )


register(GroupRow, Participation)
