"""The theme analysis of a round as the consultant works on it: runs, themes and the edit log.

Themes outlive the run that found them: a re-run maps its clusters onto the existing themes (see
``rounds.theme_run.merging``), so ids, names and the consultant's edits stay. A merged theme is
kept with ``merged_into_id`` set, so anything that linked to it can still follow the link.

``analysis_runs`` and ``theme_edits`` name the staff member who acted (``actor_id``); they are
staff/audit tables. The other tables are content and refer to no person.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialogue.core.clock import utcnow
from dialogue.core.db import Base, enum_type

if TYPE_CHECKING:
    from dialogue.core.models.contribution import Contribution


class ThemeState(enum.Enum):
    """Where a theme stands in the consultant's review."""

    #: Found by an analysis run, not yet reviewed.
    SUGGESTED = "suggested"
    #: Reviewed and accepted by the consultant.
    ACCEPTED = "accepted"
    #: Merged into another theme (``merged_into_id``); its members moved there.
    MERGED = "merged"
    #: A suggested theme that a later run no longer found and that holds no contributions.
    RETIRED = "retired"


#: States of themes that are shown and take contributions.
ACTIVE_STATES = (ThemeState.SUGGESTED, ThemeState.ACCEPTED)


class ThemeOrigin(enum.Enum):
    """How a theme came about."""

    RUN = "run"
    SPLIT = "split"
    MANUAL = "manual"


class MemberSource(enum.Enum):
    """Who placed a contribution in a theme: a run (replaced by the next run) or the consultant."""

    AUTO = "auto"
    MANUAL = "manual"


class AnalysisRun(Base):
    """One run of the theme analysis on a round, with everything needed to re-derive it."""

    __tablename__ = "analysis_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    #: Which texts of the round the run themes (see ``RoundKindBase.theme_parts``); "" for all.
    part: Mapped[str] = mapped_column(String(100), default="", server_default="")
    #: The vectorising step: "tfidf" now, perhaps an embedding model later.
    method: Mapped[str] = mapped_column(String(32), default="tfidf")
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    seed: Mapped[int] = mapped_column(default=0)
    versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Counts and fit figures (documents, themes, unassigned, silhouette …).
    quality: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: What the run changed, one entry per theme: id, kind (new, grown, …), sizes.
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: Groups of near-identical contributions, as lists of contribution ids.
    duplicate_groups: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: The staff member who started the run; None for the command line.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class Theme(Base):
    """A group of a round's contributions about one thing, with a label and a description."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    #: The part of the round whose texts the theme groups; themes of two parts never mix.
    part: Mapped[str] = mapped_column(String(100), default="", server_default="")
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Typical words of the theme from the latest run; each is used by enough distinct authors.
    top_terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[ThemeState] = mapped_column(enum_type(ThemeState), default=ThemeState.SUGGESTED)
    origin: Mapped[ThemeOrigin] = mapped_column(enum_type(ThemeOrigin), default=ThemeOrigin.RUN)
    #: True once the consultant named the theme: runs then keep the label.
    has_custom_label: Mapped[bool] = mapped_column(default=False)
    #: The run that found the theme; None for themes made by hand or by a split.
    run_id: Mapped[int | None] = mapped_column(ForeignKey("analysis_runs.id", ondelete="SET NULL"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    #: Texts placed in the theme that their authors later withdrew or erased: the trace's note
    #: that the theme lost sources. A running count with no date, so it groups nobody's texts.
    withdrawn_sources: Mapped[int] = mapped_column(default=0, server_default="0")

    members: Mapped[list[ThemeMember]] = relationship(
        back_populates="theme", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Theme {self.id} {self.state.value}>"


class ThemeMember(Base):
    """Contribution ↔ theme: the traceability link, with who placed it and how well it fits."""

    __tablename__ = "theme_members"
    __table_args__ = (UniqueConstraint("theme_id", "contribution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)
    contribution_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[MemberSource] = mapped_column(enum_type(MemberSource), default=MemberSource.AUTO)
    #: Cosine similarity to the theme's centre in the run that placed it; None if placed by hand.
    score: Mapped[float | None]

    theme: Mapped[Theme] = relationship(back_populates="members")
    contribution: Mapped[Contribution] = relationship()


class HideReason(enum.Enum):
    """Why the consultant hid a contribution from analysis and quotes."""

    OFF_TOPIC = "off_topic"
    IDENTIFYING = "identifying"


class ContributionModeration(Base):
    """Why a contribution is hidden; the hiding itself is ``Contribution.moderation``."""

    __tablename__ = "contribution_moderations"

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[HideReason] = mapped_column(enum_type(HideReason))
    note: Mapped[str] = mapped_column(String(500), default="")


class ThemeEdit(Base):
    """One step of the consultant's work on a round's themes, with what it needs to be undone.

    ``before`` holds the affected themes and contributions as they were (labels, states,
    members, moderation); undoing restores exactly that and deletes ``created`` themes. Runs are
    logged too, as steps that cannot be undone.
    """

    __tablename__ = "theme_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    #: The part of the round the step worked on: undo and the history go part by part.
    part: Mapped[str] = mapped_column(String(100), default="", server_default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: rename, describe, accept, merge, split, move, create, hide or run.
    action: Mapped[str] = mapped_column(String(32))
    #: A short, readable account of the step (theme labels and counts, never text).
    summary: Mapped[str] = mapped_column(String(300), default="")
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    undone_at: Mapped[dt.datetime | None]
