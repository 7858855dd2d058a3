"""Follow-up: initiatives under final values, and critical factors tracked until closed.

A ``FollowUp`` belongs either to a final value (an initiative: from management, or promoted
from an action-round commitment) or is a critical factor, from a coverage decision "to be
followed up". Each has an owner *unit* – a department's name, never a person – a status, and dated
notes; a note records the status after it, so a review can tell what moved in any period.
These are staff tables: they name the staff member who acted (``actor_id``) and reach
participants' input only through a contribution id, as ``proposal_sources`` do.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.clock import utcnow
from dialogue.core.db import Base, enum_type


class FollowUpStatus(enum.Enum):
    """Where an initiative or a critical factor stands; done and dropped close it."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def closed(self) -> bool:
        """Whether nothing more is expected of it."""
        return self in (FollowUpStatus.DONE, FollowUpStatus.DROPPED)


class FollowUpOrigin(enum.Enum):
    """Where a tracked item came from."""

    MANAGEMENT = "management"
    COMMITMENT = "commitment"
    CRITICAL_FACTOR = "critical_factor"


class ReviewPeriod(enum.Enum):
    """How often the follow-up is reviewed; the next review falls due one period later."""

    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"

    @property
    def months(self) -> int:
        """The period's length in months."""
        return {"month": 1, "quarter": 3, "half_year": 6}[self.value]


class FollowUp(Base):
    """An initiative under a final value, or a critical factor from the coverage view."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        CheckConstraint("proposal_id IS NULL OR coverage_mark_id IS NULL", name="value_or_factor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        ForeignKey("dialogues.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    #: The coverage decision a critical factor came from. A decision the consultant clears
    #: later leaves the item and its history in place (SET NULL), still a critical factor.
    coverage_mark_id: Mapped[int | None] = mapped_column(
        ForeignKey("coverage_marks.id", ondelete="SET NULL"), unique=True
    )
    #: The action-round commitment an initiative was promoted from, if any.
    contribution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contributions.id", ondelete="SET NULL")
    )
    origin: Mapped[FollowUpOrigin] = mapped_column(enum_type(FollowUpOrigin))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_unit: Mapped[str] = mapped_column(String(120))
    status: Mapped[FollowUpStatus] = mapped_column(
        enum_type(FollowUpStatus), default=FollowUpStatus.PLANNED
    )
    created_on: Mapped[dt.date]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    notes: Mapped[list[FollowUpNote]] = relationship(
        back_populates="follow_up",
        order_by="(FollowUpNote.written_on, FollowUpNote.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def status_on(self, day: dt.date) -> FollowUpStatus | None:
        """The status at the end of ``day`` (None if the item did not exist yet)."""
        if self.created_on > day:
            return None
        found = [note.status for note in self.notes if note.written_on <= day]
        return found[-1] if found else self.status


class FollowUpNote(Base):
    """A dated progress note; ``status`` is the item's status once the note was written."""

    __tablename__ = "follow_up_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(
        ForeignKey("follow_ups.id", ondelete="CASCADE"), index=True
    )
    written_on: Mapped[dt.date]
    status: Mapped[FollowUpStatus] = mapped_column(enum_type(FollowUpStatus))
    text: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    follow_up: Mapped[FollowUp] = relationship(back_populates="notes")


class FollowUpReview(Base):
    """A periodic review held on ``held_on``, covering what happened since ``since``."""

    __tablename__ = "follow_up_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        ForeignKey("dialogues.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[ReviewPeriod] = mapped_column(enum_type(ReviewPeriod))
    since: Mapped[dt.date]
    held_on: Mapped[dt.date]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
