"""What the follow-up pages read: the board, progress per value, commitments and reviews.

Nothing here writes; the operations are in ``services``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dialogue.core.anonymity import VERBATIM_MIN_AUTHORS
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    CoverageMark,
    Dialogue,
    FollowUp,
    FollowUpNote,
    FollowUpReview,
    ModerationState,
    Proposal,
    Role,
    Round,
    RoundKind,
    Theme,
)
from dialogue.core.models.followup import FollowUpOrigin, FollowUpStatus, ReviewPeriod
from dialogue.core.models.proposal import CoverageStatus, ProposalStatus, VersionStage


def local_today(dialogue: Dialogue) -> dt.date:
    """Today in the dialogue's time zone: the date a note or a review carries."""
    return utcnow().astimezone(ZoneInfo(dialogue.timezone)).date()


def final_values(graph):
    """The dialogue's final values, in the order of their ids."""
    return [graph.proposals[i] for i in sorted(graph.final_ids())]


def reopened(under, final_ids) -> list[tuple[str, list]]:
    """Initiatives whose value was made final and then reopened, under its last final title.

    They stay tracked while management revises the value; the last final wording is the one
    readers saw, and the draft being written is not theirs to read yet.
    """
    found = []
    for proposal_id in sorted(set(under) - final_ids):
        proposal = Session.get(Proposal, proposal_id)
        final = proposal.version_at(VersionStage.FINAL)
        if proposal.status is ProposalStatus.DRAFT and final is not None:
            found.append((final.title, under[proposal_id]))
    return found


def items_of(dialogue: Dialogue) -> list[FollowUp]:
    """Every tracked item of the dialogue with its notes, oldest first."""
    return list(
        Session.scalars(
            select(FollowUp)
            .where(FollowUp.dialogue_id == dialogue.id)
            .options(selectinload(FollowUp.notes))
            .order_by(FollowUp.created_on, FollowUp.id)
        )
    )


def by_value(items: list[FollowUp]) -> dict[int, list[FollowUp]]:
    """Initiatives per final value (proposal id)."""
    found: dict[int, list[FollowUp]] = {}
    for item in items:
        if item.proposal_id is not None:
            found.setdefault(item.proposal_id, []).append(item)
    return found


@dataclass(frozen=True)
class Factor:
    """A coverage decision "to be followed up", and its tracking once it has one.

    ``label`` is the theme's name or the consultant's reason – never a contribution's text,
    which only the consultant reads.
    """

    mark_id: int | None
    label: str
    item: FollowUp | None


def critical_factors(dialogue: Dialogue, items: list[FollowUp]) -> list[Factor]:
    """Tracked critical factors, then the decisions "to be followed up" not tracked yet."""
    factors = [
        Factor(item.coverage_mark_id, item.title, item)
        for item in items
        if item.origin is FollowUpOrigin.CRITICAL_FACTOR
    ]
    tracked = {factor.mark_id for factor in factors}
    marks = Session.scalars(
        select(CoverageMark)
        .where(
            CoverageMark.dialogue_id == dialogue.id,
            CoverageMark.status == CoverageStatus.FOLLOW_UP,
        )
        .order_by(CoverageMark.id)
    )
    for mark in marks:
        if mark.id in tracked:
            continue
        theme = Session.get(Theme, mark.theme_id) if mark.theme_id is not None else None
        label = theme.label if theme is not None else (mark.reason or str(_l("One contribution")))
        factors.append(Factor(mark.id, label, None))
    return factors


def counts_by_status(items: list[FollowUp]) -> Counter:
    """How many items stand at each status now."""
    return Counter(item.status for item in items)


# --- periodic review ---------------------------------------------------------------------------


def last_review(dialogue: Dialogue) -> FollowUpReview | None:
    """The latest recorded review."""
    return Session.scalar(
        select(FollowUpReview)
        .where(FollowUpReview.dialogue_id == dialogue.id)
        .order_by(FollowUpReview.held_on.desc(), FollowUpReview.id.desc())
        .limit(1)
    )


def review_start(dialogue: Dialogue, period: ReviewPeriod, day: dt.date) -> dt.date:
    """A review covers the time since the last one, or one period back if there was none."""
    last = last_review(dialogue)
    return last.held_on if last is not None else day - relativedelta(months=period.months)


@dataclass(frozen=True)
class ReviewRow:
    """One item over the review's period: its status then and now, and the notes in between."""

    item: FollowUp
    before: FollowUpStatus | None
    after: FollowUpStatus
    notes: list[FollowUpNote]

    @property
    def moved(self) -> bool:
        """A new item, a changed status or any note written in the period."""
        return self.before is not self.after or bool(self.notes)


@dataclass
class Review:
    """What moved and what did not between ``since`` (exclusive) and ``until`` (inclusive)."""

    since: dt.date
    until: dt.date
    moved: list[ReviewRow] = field(default_factory=list)
    unmoved: list[ReviewRow] = field(default_factory=list)
    #: Per final value, then "critical factors": how many items stand at each status at the end.
    scorecard: list[tuple[str, Counter]] = field(default_factory=list)


def build_review(
    dialogue: Dialogue, since: dt.date, until: dt.date, value_titles: dict[int, str]
) -> Review:
    """The review of ``since``–``until``: closed items that did not move are left out.

    ``value_titles`` names the final values (proposal id → title) for the scorecard.
    """
    review = Review(since, until)
    cards: dict[str, Counter] = {}
    for item in items_of(dialogue):
        after = item.status_on(until)
        if after is None:
            continue
        row = ReviewRow(
            item,
            item.status_on(since),
            after,
            [n for n in item.notes if since < n.written_on <= until and n.text],
        )
        if row.moved:
            review.moved.append(row)
        elif not after.closed:
            review.unmoved.append(row)
        factor = item.proposal_id is None
        card = str(_l("Critical factors")) if factor else value_titles.get(item.proposal_id, "")
        cards.setdefault((factor, card), Counter())[after] += 1
    ordered = sorted(cards.items(), key=lambda pair: (pair[0][0], pair[0][1].casefold()))
    review.scorecard = [(card, counts) for (_factor, card), counts in ordered]
    return review


def commitments(membership, proposal):
    """The value's visible commitments, and whether this member may read their text.

    The consultant reads all input; management reads verbatim text only from a group of at
    least ``VERBATIM_MIN_AUTHORS`` distinct authors, as everywhere outside the consultant's view
    (TARGETS A6). Sorted alphabetically, which says nothing about who wrote them or when.
    """
    rows = Session.execute(
        select(Contribution.id, Contribution.body, Contribution.author)
        .join(Round, Round.id == Contribution.round_id)
        .where(
            Round.dialogue_id == membership.dialogue_id,
            Round.kind == RoundKind.ACTION,
            Contribution.target == proposal.item_key,
            Contribution.moderation == ModerationState.VISIBLE,
            Contribution.body.is_not(None),
        )
    ).all()
    authors = len({row.author for row in rows})
    k = membership.dialogue.min_group_size
    readable = membership.role is Role.CONSULTANT or authors >= max(VERBATIM_MIN_AUTHORS, k)
    texts = sorted(((row.id, row.body) for row in rows), key=lambda r: r[1].casefold())
    return texts if readable else [], len(rows)
