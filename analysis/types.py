"""Plain, frozen data that goes into and comes out of the theme analysis.

Everything keeps the caller's document ids, so any theme, label or quote shown to a consultant
or on the public page can be traced back to the contributions behind it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Kinds of change between two analyses of the same texts, see :func:`analysis.match_themes`.
CHANGE_KINDS = ("new", "grown", "shrunk", "split", "merged", "gone", "unchanged")


@dataclass(frozen=True)
class Document:
    """One contribution: the caller's id (a contribution id or a row number) and its text.

    `author` groups documents written by the same person (a pseudonym, never a name): a label
    term must be used by enough *distinct authors*, so one person repeating a name in many
    contributions cannot publish it. ``None`` counts the document as its own author.
    """

    id: Hashable
    text: str | None
    author: Hashable | None = None


@dataclass(frozen=True)
class ThemeMember:
    """A document in a theme, with how well it fits (cosine similarity to the theme's centre)."""

    document_id: Hashable
    score: float


@dataclass(frozen=True)
class Theme:
    """A group of contributions about the same thing, with words that describe it.

    `label` is a short phrase the members wrote, or two or three of their typical words.
    `label` and `top_terms` only use terms found in documents of at least ``min_group_size``
    distinct authors of the corpus, so they can be published without exposing a rare word such
    as a person's name.
    Members are kept as two parallel tuples, best fitting first, because a theme of a large
    corpus may hold hundreds of thousands of them.
    """

    id: int
    label: str
    top_terms: tuple[str, ...]
    member_ids: tuple[Hashable, ...]
    #: Cosine similarity of each member to the theme's centre, parallel to `member_ids`.
    scores: tuple[float, ...]
    #: A few members that show what the theme is about: the best fitting first, then each
    #: fitting and unlike those before, never two (near-)identical texts.
    representative_ids: tuple[Hashable, ...]

    @property
    def members(self) -> tuple[ThemeMember, ...]:
        """Member documents with their scores."""
        return tuple(map(ThemeMember, self.member_ids, self.scores))

    @property
    def size(self) -> int:
        """Number of member documents."""
        return len(self.member_ids)


@dataclass(frozen=True)
class AnalysisResult:
    """Themes of a corpus and what became of every document.

    Every document id appears exactly once: in one theme's members, in `unassigned` (no theme
    fits it well, or its theme was too small to report) or in `skipped` (it had no text).
    """

    themes: tuple[Theme, ...]
    unassigned: tuple[Hashable, ...]
    skipped: tuple[Hashable, ...]
    #: Groups of near-identical documents (TF-IDF cosine at or above the threshold).
    duplicate_groups: tuple[tuple[Hashable, ...], ...]
    language: str
    #: Parameters that re-derive this result, including the seed.
    parameters: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class ThemeChange:
    """How one theme of a new analysis relates to the themes of an earlier one.

    `kind` is one of :data:`CHANGE_KINDS`. For ``"gone"`` the theme exists only in the earlier
    analysis and `cluster` is ``None``.
    """

    theme_id: int
    kind: str
    cluster: int | None
    previous_ids: tuple[int, ...]
    size: int
    previous_size: int
