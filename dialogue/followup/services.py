"""Follow-up operations and the readings built on them: the board, progress per value, reviews.

Operations flush and never commit; the view that calls them commits. Each is audit-logged by
id and status – never with note text, which staff write and the pages show.
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

from dialogue.core.audit import record_event
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
    RoundKind,
    Theme,
)
from dialogue.core.models.followup import FollowUpOrigin, FollowUpStatus, ReviewPeriod
from dialogue.core.models.proposal import CoverageStatus, ProposalStatus
from rounds.errors import RoundError
from rounds.submissions import clean_text


class FollowUpError(RoundError):
    """A follow-up operation that cannot be done as asked; nothing was changed."""


def local_today(dialogue: Dialogue) -> dt.date:
    """Today in the dialogue's time zone: the date a note or a review carries."""
    return utcnow().astimezone(ZoneInfo(dialogue.timezone)).date()


def _clean(title: str, owner_unit: str) -> tuple[str, str]:
    title, owner_unit = (
        " ".join(clean_text(title).split()),
        " ".join(clean_text(owner_unit).split()),
    )
    if not title:
        raise FollowUpError(_l("An initiative needs a title."), field="title")
    if not owner_unit:
        raise FollowUpError(_l("Name the unit that owns it."), field="owner_unit")
    return title, owner_unit


def _create(dialogue: Dialogue, item: FollowUp, day: dt.date, actor_id: int | None) -> FollowUp:
    """Store a new item with its first note, which records the status it starts with."""
    item.dialogue_id, item.created_on, item.actor_id = dialogue.id, day, actor_id
    item.notes.append(FollowUpNote(written_on=day, status=item.status, actor_id=actor_id))
    Session.add(item)
    Session.flush()
    record_event(
        actor_id,
        "follow_up.create",
        dialogue,
        subject=f"follow_up:{item.id}",
        origin=item.origin.value,
        status=item.status.value,
    )
    return item


def add_initiative(
    proposal: Proposal,
    *,
    title: str,
    owner_unit: str,
    description: str = "",
    status: FollowUpStatus = FollowUpStatus.PLANNED,
    commitment: Contribution | None = None,
    actor_id: int | None = None,
    day: dt.date,
) -> FollowUp:
    """An initiative under a final value, from management or promoted from a commitment."""
    if proposal.status is not ProposalStatus.FINAL:
        raise FollowUpError(_l("Initiatives can be added to final values only."))
    if commitment is not None and (
        commitment.target != proposal.item_key
        or commitment.round.kind is not RoundKind.ACTION
        or commitment.moderation is not ModerationState.VISIBLE
    ):
        raise FollowUpError(_l("That is not a commitment to this value."))
    title, owner_unit = _clean(title, owner_unit)
    item = FollowUp(
        proposal_id=proposal.id,
        contribution_id=commitment.id if commitment is not None else None,
        origin=FollowUpOrigin.COMMITMENT if commitment is not None else FollowUpOrigin.MANAGEMENT,
        title=title,
        description=clean_text(description),
        owner_unit=owner_unit,
        status=status,
    )
    return _create(proposal_dialogue(proposal), item, day, actor_id)


def proposal_dialogue(proposal: Proposal) -> Dialogue:
    """The dialogue a proposal belongs to."""
    return Session.get(Dialogue, proposal.dialogue_id)


def track_factor(
    mark: CoverageMark,
    *,
    title: str,
    owner_unit: str,
    status: FollowUpStatus = FollowUpStatus.PLANNED,
    actor_id: int | None = None,
    day: dt.date,
) -> FollowUp:
    """Track a coverage decision "to be followed up" like an initiative, until it is closed."""
    if mark.status is not CoverageStatus.FOLLOW_UP:
        raise FollowUpError(_l("Only a theme or text marked “to be followed up” can be tracked."))
    if Session.scalar(select(FollowUp.id).where(FollowUp.coverage_mark_id == mark.id)):
        raise FollowUpError(_l("This critical factor is tracked already."))
    title, owner_unit = _clean(title, owner_unit)
    item = FollowUp(
        coverage_mark_id=mark.id,
        origin=FollowUpOrigin.CRITICAL_FACTOR,
        title=title,
        owner_unit=owner_unit,
        status=status,
    )
    return _create(Session.get(Dialogue, mark.dialogue_id), item, day, actor_id)


def add_note(
    item: FollowUp,
    *,
    status: FollowUpStatus,
    text: str,
    actor_id: int | None = None,
    day: dt.date,
) -> FollowUpNote:
    """A dated progress note; a new status goes with it. A closed item only takes a reopening."""
    text = clean_text(text)
    if item.status.closed and status is item.status:
        raise FollowUpError(
            _l("This item is closed. To write more, choose the status it has now."),
            field="status",
        )
    if not text and status is item.status:
        raise FollowUpError(_l("Write a note or change the status."), field="text")
    note = FollowUpNote(written_on=day, status=status, text=text, actor_id=actor_id)
    item.notes.append(note)
    changed = status is not item.status
    item.status = status
    Session.flush()
    record_event(
        actor_id,
        "follow_up.note",
        Session.get(Dialogue, item.dialogue_id),
        subject=f"follow_up:{item.id}",
        status=status.value,
        status_changed=changed,
    )
    return note


# --- reading --------------------------------------------------------------------------------------


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


def record_review(
    dialogue: Dialogue, *, period: ReviewPeriod, actor_id: int | None = None, day: dt.date
) -> FollowUpReview:
    """Record the review held today; the next one covers the time from today."""
    last = last_review(dialogue)
    if last is not None and last.held_on >= day:
        raise FollowUpError(_l("A review was recorded today already."))
    review = FollowUpReview(
        dialogue_id=dialogue.id,
        period=period,
        since=review_start(dialogue, period, day),
        held_on=day,
        actor_id=actor_id,
    )
    Session.add(review)
    Session.flush()
    record_event(actor_id, "follow_up.review", dialogue, subject=f"review:{review.id}")
    return review
