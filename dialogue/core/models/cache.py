"""Results that cannot change any more, computed once and stored: ``round_results_cache``.

A closed round's aggregated results (and its participation counts) are the same on every
request, but computing them at 100,000 participants reads every contribution and derives
100,000 pseudonyms. They are stored here as JSON, keyed by round, variant and a version that
changes whenever the inputs could have (publishing, settings, moderation, membership); a
mismatching version is simply recomputed. Only aggregates with small groups already
suppressed are stored: never pseudonyms, never the mapping from people to pseudonyms.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dialogue.core.clock import utcnow
from dialogue.core.db import Base


class RoundResultsCache(Base):
    """One stored computation for one round."""

    __tablename__ = "round_results_cache"
    __table_args__ = (UniqueConstraint("round_id", "variant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    #: Which computation: "participation", "results:staff", "results:public" …
    variant: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(64))
    payload: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
