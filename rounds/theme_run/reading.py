"""What a theme run reads: a part's visible texts, its active themes, its latest run, its parts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from analysis import Document
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import AnalysisRun, Contribution, Round, Theme
from dialogue.core.models.analysis import ACTIVE_STATES
from rounds import get_kind
from rounds.identifying import blank_marker, masked_pairs
from rounds.release import shown_to_staff


def round_documents(round_: Round, part: str = "") -> list[Document]:
    """One part's visible texts as analysis documents, each with its author's pseudonym.

    The pseudonym lets the analysis count distinct authors behind a label word; it never leaves
    the analysis and is never shown.
    """
    kind = get_kind(round_.kind)
    pairs = kind.analysis_texts(round_, part) if kind is not None else []
    if not pairs:
        return []
    pairs = masked_pairs(pairs, round_id=round_.id, marker=blank_marker)
    # While the round is open, only input released to the staff (``rounds.release``).
    authors = dict(
        Session.execute(
            select(Contribution.id, Contribution.author).where(
                Contribution.round_id == round_.id, shown_to_staff(round_, utcnow())
            )
        ).all()
    )
    return [Document(cid, text, author=authors[cid]) for cid, text in pairs if cid in authors]


def list_active_themes(
    round_: Round, part: str | None = None, *, members: bool = True
) -> list[Theme]:
    """The round's suggested and accepted themes, oldest first, with their members if asked.

    Of one part (see ``RoundKindBase.theme_parts``) if ``part`` is given, else of every part.
    Without ``members`` for lists of names: a theme may hold hundreds of thousands of texts.
    """
    query = select(Theme).where(Theme.round_id == round_.id, Theme.state.in_(ACTIVE_STATES))
    if part is not None:
        query = query.where(Theme.part == part)
    if members:
        query = query.options(selectinload(Theme.members))
    return list(Session.scalars(query.order_by(Theme.id)))


def get_latest_run(round_: Round, part: str | None = None) -> AnalysisRun | None:
    """The most recent analysis run of the round (of one part if ``part`` is given), or None."""
    query = select(AnalysisRun).where(AnalysisRun.round_id == round_.id)
    if part is not None:
        query = query.where(AnalysisRun.part == part)
    return Session.scalar(query.order_by(AnalysisRun.id.desc()).limit(1))


def theme_parts(round_: Round) -> list[tuple[str, Any]]:
    """The parts of the round the workbench themes apart, as (part, label)."""
    kind = get_kind(round_.kind)
    return kind.theme_parts(round_) if kind is not None else []
