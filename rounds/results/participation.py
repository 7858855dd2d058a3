"""Participation per round for staff and the public: counts with small groups suppressed.

Who contributed is known only as a set of pseudonyms; mapping members to pseudonyms needs the
anonymity key and happens in memory (``rounds.results.segments.author_segments``), so that only
counts ever leave this module.

While a round is open nothing here moves with one person's answer: the counts move in steps of
the minimum group size and there is no count by group. Once it has closed, the counts by group
are *final* (``dialogue.core.results_cache.final.final``): computed once, by a job, and never again
from a membership that changed later.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from analysis.suppression import shown_groups, suppress_small_groups, why_hidden
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Membership, Role, Round
from dialogue.core.results_cache.codec import register
from dialogue.core.results_cache.final import final, finaliser
from dialogue.core.results_cache.store import cached, is_cacheable
from rounds.results.cached import OPEN_RESULTS_SECONDS, stepped
from rounds.results.segments import DIMENSIONS, author_segments


@dataclass(frozen=True)
class GroupRow:
    """One department or role group; None where the group is too small to show."""

    name: str
    invited: int | None
    contributors: int | None
    #: Why a figure is hidden (``analysis.suppression.why_hidden``); "" when it is shown.
    invited_hidden_as: str = ""
    contributors_hidden_as: str = ""


@dataclass(frozen=True)
class Participation:
    """How many took part in a round, overall and by group.

    ``live``: the round has not closed; ``contributors`` is then rounded down to a multiple of
    the minimum group size, ``contributions`` counts those released to the staff (in batches of
    at least that many authors, ``rounds.release``), and there are no groups.
    """

    invited: int
    contributors: int | None
    contributions: int | None
    by_department: list[GroupRow]
    by_role_group: list[GroupRow]
    live: bool = False
    #: ``contributors`` is a floor: more than that many took part. Shown where fewer than the
    #: minimum group size did not take part, since "30 invited, 30 took part" says of each
    #: invitee that they did (TARGETS A8).
    more_than: bool = False


def round_participation(round_: Round) -> Participation | None:
    """Participation in ``round_`` for staff screens: counts only, small groups suppressed.

    None while a closed round's final counts are being computed (a job has been started). An
    open round's rounded counts are stored for ``OPEN_RESULTS_SECONDS`` at a time.
    """
    if not is_cacheable(round_):
        return cached(
            round_,
            "participation:live",
            lambda: _live_participation(round_),
            open_seconds=OPEN_RESULTS_SECONDS,
        )
    return final(round_, "participation")


def overall_took_part(took_part: int, invited: int, k: int) -> tuple[int | None, bool]:
    """How many took part, as shown: (count, whether it is a floor), or (None, False) below k.

    Where fewer than ``k`` invitees stayed away, the exact count would tell of (nearly) every
    invitee that they took part; it is shown as "more than ``invited - k``" instead, which
    every count from there up to everyone fits.

    >>> overall_took_part(30, 30, 5), overall_took_part(26, 30, 5), overall_took_part(25, 30, 5)
    ((25, True), (25, True), (25, False))
    >>> overall_took_part(4, 30, 5)
    (None, False)
    """
    if took_part < k:
        return None, False
    if invited - took_part < k:
        return max(invited - k, 0), True
    return took_part, False


def _invited(round_: Round) -> int:
    return Session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.dialogue_id == round_.dialogue_id, Membership.role == Role.PARTICIPANT)
    )


def _live_participation(round_: Round) -> Participation:
    k = round_.dialogue.min_group_size
    contributors = Session.scalar(
        select(func.count(Contribution.author.distinct())).where(Contribution.round_id == round_.id)
    )
    # The contributions the consultant can read: they arrive in batches of k authors' input.
    released = Session.scalar(
        select(func.count())
        .select_from(Contribution)
        .where(Contribution.round_id == round_.id, Contribution.released.is_(True))
    )
    return Participation(
        invited=_invited(round_),
        contributors=stepped(contributors, k),
        contributions=released,
        by_department=[],
        by_role_group=[],
        live=True,
    )


@finaliser("participation")
def _participation(round_: Round) -> Participation:
    """A closed round's participation by group, with the suppression of every breakdown.

    A group whose size is hidden shows nothing; of the others, a group's number of contributors
    is shown only where ``analysis.suppression`` lets it: in particular never where (nearly)
    everyone invited took part, which would say that each of them did.
    """
    dialogue = round_.dialogue
    k = dialogue.min_group_size
    segments = author_segments(dialogue, current_app.config["ANON_SECRET"])
    invited = {dimension: Counter() for dimension, _heading in DIMENSIONS}
    for segment in segments.values():
        for dimension, _heading in DIMENSIONS:
            invited[dimension][segment[dimension]] += 1
    contributed: dict[str, dict[str, set[str]]] = {d: {} for d, _h in DIMENSIONS}
    known = set()
    for author in Session.scalars(
        select(Contribution.author).where(Contribution.round_id == round_.id).distinct()
    ):
        segment = segments.get(author)
        if segment is not None:  # a member who has left counts in no group
            known.add(author)
            for dimension, _heading in DIMENSIONS:
                contributed[dimension].setdefault(segment[dimension], set()).add(author)
    shown_invited = {d: suppress_small_groups(invited[d], k)[0] for d, _h in DIMENSIONS}
    # A group too small to invite is too small to report on at all.
    eligible = {
        d: {g: contributed[d].get(g, set()) for g, n in shown_invited[d].items() if n is not None}
        for d, _h in DIMENSIONS
    }
    shown = shown_groups(eligible, known, k, population=invited)
    rows = {
        d: [
            GroupRow(
                name,
                shown_invited[d][name],
                len(eligible[d][name]) if name in shown[d] else None,
                invited_hidden_as=""
                if shown_invited[d][name] is not None
                else why_hidden(invited[d][name], k),
                contributors_hidden_as=why_hidden(
                    len(contributed[d].get(name, ())), k, invited[d][name]
                )
                if name not in shown[d]
                else "",
            )
            for name in sorted(invited[d])
        ]
        for d, _h in DIMENSIONS
    }
    invited_total = _invited(round_)
    contributors, more_than = overall_took_part(len(known), invited_total, k)
    return Participation(
        invited=invited_total,
        contributors=contributors,
        more_than=more_than,
        contributions=Session.scalar(
            select(func.count()).select_from(Contribution).where(Contribution.round_id == round_.id)
        ),
        by_department=rows["department"],
        by_role_group=rows["role_group"],
    )


# Stored under the name of the module they were first stored from, which they outlived.
register(GroupRow, Participation, namespace="rounds.participation")
