"""Management's proposals and the links that make every final value traceable.

The traceability graph is contribution → theme(s) → proposal(s) → final value(s) → action
commitments. Its links are rows: ``ThemeMember`` (contribution ↔ theme), ``ProposalSource``
(proposal ↔ theme or single contribution) and ``Contribution.target`` ("proposal:<id>", for
consultation ratings and action commitments). A link belongs to the *proposal*, never to one of
its versions, so a new version never loses a source; a link to a theme survives merges and
re-runs because themes keep their ids and merged themes point on (``Theme.merged_into_id``).

``proposals``, ``proposal_versions``, ``proposal_sources`` and ``coverage_marks`` name the staff
member who acted (``actor_id``): staff identity, allowed. Nothing here refers to a participant.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.clock import utcnow
from dialogue.core.db import Base, enum_type

#: The prefix of item keys (and so of ``Contribution.target``) that point at a proposal.
ITEM_PREFIX = "proposal:"


class ProposalKind(enum.Enum):
    """What a proposal is: a value, a strategy or an initiative (the reference case's outputs)."""

    VALUE = "value"
    STRATEGY = "strategy"
    INITIATIVE = "initiative"


class Perspective(enum.Enum):
    """The four perspectives of a strategy map (a job centre's balanced scorecard)."""

    SOCIETY = "society"
    CITIZENS = "citizens"
    PROCESSES = "processes"
    EMPLOYEES = "employees"


class ProposalStatus(enum.Enum):
    """Where a proposal stands: drafted, out for consultation, final, or set aside."""

    DRAFT = "draft"
    CONSULTATION = "consultation"
    FINAL = "final"
    DROPPED = "dropped"


class VersionStage(enum.Enum):
    """The step at which a version was written; the final one carries the visible change note."""

    DRAFT = "draft"
    CONSULTATION = "consultation"
    FINAL = "final"
    DROPPED = "dropped"


class CoverageStatus(enum.Enum):
    """The consultant's decision on input that reaches no final value."""

    ADDRESSED_ELSEWHERE = "addressed_elsewhere"
    LEFT_OUT = "left_out"
    FOLLOW_UP = "follow_up"


class Proposal(Base):
    """A value, strategy or initiative that management drafts from the themes."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        ForeignKey("dialogues.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ProposalKind] = mapped_column(enum_type(ProposalKind))
    perspective: Mapped[Perspective | None] = mapped_column(enum_type(Perspective))
    status: Mapped[ProposalStatus] = mapped_column(
        enum_type(ProposalStatus), default=ProposalStatus.DRAFT
    )
    #: Order in lists and in the rounds it feeds.
    position: Mapped[int] = mapped_column(default=0)
    #: The consultation round the draft was published into, if any.
    consultation_round_id: Mapped[int | None] = mapped_column(
        ForeignKey("rounds.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    #: Texts behind the proposal (through its themes or linked directly) that their authors
    #: later withdrew or erased: a running count with no date, like ``Theme.withdrawn_sources``.
    withdrawn_sources: Mapped[int] = mapped_column(default=0, server_default="0")

    versions: Mapped[list[ProposalVersion]] = relationship(
        back_populates="proposal",
        order_by="ProposalVersion.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    sources: Mapped[list[ProposalSource]] = relationship(
        back_populates="proposal",
        order_by="ProposalSource.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def item_key(self) -> str:
        """The key under which rounds ask about this proposal (``Contribution.target``)."""
        return f"{ITEM_PREFIX}{self.id}"

    @property
    def current(self) -> ProposalVersion:
        """The newest version: what the proposal says now."""
        return self.versions[-1]

    def version_at(self, stage: VersionStage) -> ProposalVersion | None:
        """The newest version written at ``stage``, or None."""
        found = [version for version in self.versions if version.stage is stage]
        return found[-1] if found else None

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.status.value}>"


class ProposalVersion(Base):
    """One wording of a proposal; the final one says what changed after the consultation."""

    __tablename__ = "proposal_versions"
    __table_args__ = (UniqueConstraint("proposal_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    stage: Mapped[VersionStage] = mapped_column(enum_type(VersionStage))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    #: What changed and why, shown to participants and the public beside the final version.
    change_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    proposal: Mapped[Proposal] = relationship(back_populates="versions")


class ProposalSource(Base):
    """Proposal ↔ theme or single contribution, with a short note on how it informed it."""

    __tablename__ = "proposal_sources"
    __table_args__ = (
        CheckConstraint(
            "(theme_id IS NULL) <> (contribution_id IS NULL)", name="theme_or_contribution"
        ),
        UniqueConstraint("proposal_id", "theme_id"),
        UniqueConstraint("proposal_id", "contribution_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), index=True
    )
    contribution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str] = mapped_column(String(500), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    proposal: Mapped[Proposal] = relationship(back_populates="sources")


class CoverageMark(Base):
    """The consultant's decision on a theme or contribution that reaches no final value."""

    __tablename__ = "coverage_marks"
    __table_args__ = (
        CheckConstraint(
            "(theme_id IS NULL) <> (contribution_id IS NULL)", name="theme_or_contribution"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        ForeignKey("dialogues.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), unique=True
    )
    contribution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[CoverageStatus] = mapped_column(enum_type(CoverageStatus))
    reason: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
