"""What member checking reads: what can be checked, the answers, the overview, public counts.

Which of a participant's input can be checked and what they answered; the consultant's
overview per theme; and the counts per value the public sees. Nothing here writes.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from analysis.suppression import suppress_small_groups
from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    Dialogue,
    MemberCheck,
    ModerationState,
    Proposal,
    Theme,
    ThemeMember,
)
from dialogue.core.models.membercheck import CheckAnswer
from rounds.traceability import Graph


def is_checkable(path) -> bool:
    """Whether a participant can be asked about an own path (``traces.OwnPath``).

    Only input that was condensed – placed in a theme or linked to a proposal – has a
    condensation to recognise; answers about a proposal (ratings, commitments) do not.
    """
    return not path.hidden and path.answers is None and bool(path.themes or path.proposals)


def checks_of(contribution_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, MemberCheck]:
    """The answers given about ``contribution_ids``, by contribution."""
    ids = list(contribution_ids)
    found = {}
    for start in range(0, len(ids), 500):  # stay below every backend's parameter limit
        for check in Session.scalars(
            select(MemberCheck).where(MemberCheck.contribution_id.in_(ids[start : start + 500]))
        ):
            found[check.contribution_id] = check
    return found


# --- the consultant's overview ------------------------------------------------------------------


@dataclass(frozen=True)
class Contested:
    """A "partly" or "no" answer, beside the contribution it is about (consultant only)."""

    contribution_id: uuid.UUID
    round_id: int
    text: str
    answer: CheckAnswer
    comment: str
    response: str | None


@dataclass
class ThemeChecks:
    """The answers about one theme's contributions.

    Counts are of *answers*, each of which the consultant also sees beside its contribution;
    no count of people is made here, so none can single anyone out.
    """

    theme: Theme | None
    counts: Counter = field(default_factory=Counter)
    comments: list[str] = field(default_factory=list)
    contested: list[Contested] = field(default_factory=list)

    @property
    def open(self) -> int:
        """Contested answers not yet dealt with."""
        return sum(item.response is None for item in self.contested)


def theme_overview(graph: Graph, dialogue: Dialogue) -> list[ThemeChecks]:
    """Answers per active theme (contributions linked only directly come under None).

    Comments are sorted alphabetically, which says nothing about who wrote them or when.
    Themes with open contested answers come first.
    """
    round_ids = [round_.id for round_ in dialogue.rounds]
    rows = Session.execute(
        select(MemberCheck, Contribution)
        .join(Contribution, Contribution.id == MemberCheck.contribution_id)
        .where(Contribution.round_id.in_(round_ids))
    ).all()
    answered = {contribution.id for _check, contribution in rows}
    themes_of: dict[uuid.UUID, list[Theme]] = defaultdict(list)
    for theme_id in sorted(graph.members):  # one pass over the themes, not one per answer
        for cid in graph.members[theme_id] & answered:
            themes_of[cid].append(graph.themes[theme_id])
    by_theme: dict[int | None, ThemeChecks] = {}
    for check, contribution in rows:
        themes = themes_of.get(contribution.id) or [None]
        for theme in themes:
            key = theme.id if theme is not None else None
            group = by_theme.setdefault(key, ThemeChecks(theme))
            group.counts[check.answer] += 1
            if check.comment:
                group.comments.append(check.comment)
            if check.answer.contested:
                group.contested.append(
                    Contested(
                        contribution.id,
                        contribution.round_id,
                        contribution.body or "",
                        check.answer,
                        check.comment,
                        check.response,
                    )
                )
    for group in by_theme.values():
        group.comments.sort(key=str.casefold)
        group.contested.sort(key=lambda c: (c.response is not None, c.text.casefold()))
    return sorted(
        by_theme.values(),
        key=lambda g: (-g.open, g.theme is None, (g.theme.label if g.theme else "").casefold()),
    )


# --- public counts ----------------------------------------------------------------------------

#: An author's verdict on a value is their least favourable answer about the input behind it.
CONFIRMED, NOT_CONFIRMED = "confirmed", "not_confirmed"


@dataclass(frozen=True)
class Confirmation:
    """How many contributors behind a value confirmed its condensation; None where suppressed."""

    checked: int | None
    confirmed: int | None
    not_confirmed: int | None


def confirmation(graph: Graph, proposal: Proposal, dialogue: Dialogue) -> Confirmation:
    """Distinct contributors who checked the input behind ``proposal``, and what they said.

    Two groups – confirmed (every answer "yes") and not (any "partly" or "no") – go through
    the same suppression as every report, with the total shown: a group under the minimum
    size is hidden, and so is its sibling whenever the total would give it away (TARGETS A5).
    """
    # Start from the checks (few) rather than from the contributions behind the proposal
    # (up to a million): reading those into Python took 15-25 s per request.
    behind = or_(
        MemberCheck.contribution_id.in_(
            select(ThemeMember.contribution_id).where(
                ThemeMember.theme_id.in_(sorted(graph.source_theme_ids(proposal)))
            )
        ),
        MemberCheck.contribution_id.in_(sorted(graph.source_contribution_ids(proposal))),
    )
    rows = Session.execute(
        select(Contribution.author, MemberCheck.answer)
        .join(Contribution, Contribution.id == MemberCheck.contribution_id)
        .where(Contribution.moderation == ModerationState.VISIBLE, behind)
    )
    verdicts: dict[str, str] = {}
    for author, answer in rows:
        if answer.contested:
            verdicts[author] = NOT_CONFIRMED
        else:
            verdicts.setdefault(author, CONFIRMED)
    counts = defaultdict(int, Counter(verdicts.values()))
    shown, total = suppress_small_groups(
        {CONFIRMED: counts[CONFIRMED], NOT_CONFIRMED: counts[NOT_CONFIRMED]},
        dialogue.min_group_size,
        show_total=True,
    )
    return Confirmation(total, shown[CONFIRMED], shown[NOT_CONFIRMED])
