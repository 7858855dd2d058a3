"""Follow-up operations: initiatives, tracked factors, progress notes and recorded reviews.

Operations flush and never commit; the view that calls them commits. Each is audit-logged by
id and status – never with note text, which staff write and the pages show.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dialogue.core.audit import record_event
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
)
from dialogue.core.models.followup import FollowUpOrigin, FollowUpStatus, ReviewPeriod
from dialogue.core.models.proposal import CoverageStatus, ProposalStatus
from dialogue.followup.queries import last_review, review_start
from rounds.errors import RoundError
from rounds.submissions import clean_text


class FollowUpError(RoundError):
    """A follow-up operation that cannot be done as asked; nothing was changed."""


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
