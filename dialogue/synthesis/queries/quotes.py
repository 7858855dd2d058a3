"""The quotes of a theme: which texts fit it best, and their words as a page shows them.

The figures store ids, not words (:mod:`dialogue.synthesis.queries.figures`); the words are read
when a page shows them, so a redaction or a newly flagged detail shows at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, ModerationState, ThemeMember
from rounds.identifying import masked_pairs


def best_texts(theme_id: int, count: int) -> list[str]:
    """Ids (as strings) of the theme's ``count`` best-fitting non-blank visible texts.

    Best fitting first (a text placed by hand has no score and ranks as 0), ties by id; a text
    written word for word like one chosen already is passed over, so two quotes never repeat. The
    positive scores come first from the partial index on (theme_id, score) without sorting
    every member; only a theme short of such texts reads the rest. Ids, not words, are what
    gets stored: :func:`quote_texts` reads the words when a page shows them, so a redaction or a
    newly flagged detail shows at once.
    """
    base = (
        select(Contribution.id, Contribution.body)
        .join(ThemeMember, ThemeMember.contribution_id == Contribution.id)
        .where(
            ThemeMember.theme_id == theme_id,
            Contribution.moderation == ModerationState.VISIBLE,
        )
    )
    ordered = (
        base.where(ThemeMember.score > 0).order_by(
            ThemeMember.score.desc(), ThemeMember.contribution_id
        ),
        base.where((ThemeMember.score <= 0) | ThemeMember.score.is_(None)).order_by(
            func.coalesce(ThemeMember.score, 0.0).desc(), ThemeMember.contribution_id
        ),
    )
    chosen: list[str] = []
    seen: set[str] = set()
    for statement in ordered:
        offset, page = 0, 4 * count
        while len(chosen) < count:
            rows = Session.execute(statement.offset(offset).limit(page)).all()
            for cid, body in rows:
                words = " ".join((body or "").split()).casefold()
                if words and words not in seen and len(chosen) < count:
                    chosen.append(str(cid))
                    seen.add(words)
            if len(rows) < page:
                break
            offset += page
    return chosen


def quote_texts(ids: Iterable[str], length: int) -> list[str]:
    """The texts of these contributions as quotes: flagged details masked, tidied, shortened."""
    wanted = [uuid.UUID(cid) for cid in ids]
    bodies = dict(
        Session.execute(
            select(Contribution.id, Contribution.body).where(Contribution.id.in_(wanted))
        ).all()
    )
    masked = dict(masked_pairs([(cid, bodies.get(cid)) for cid in wanted]))
    quotes = []
    for cid in wanted:
        text = " ".join((masked.get(cid) or "").split())
        if text:
            quotes.append(text if len(text) <= length else text[: length - 1] + "…")
    return quotes
