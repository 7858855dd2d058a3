"""A free-text round's themes fed back to the people who wrote them: the heart of a Delphi round.

Once a round's results are published, its participants' results page, the public page and the
next round's page show the themes the consultant found: name, description, how many texts, and
a few anonymous quotes. A theme appears only once the consultant has *accepted* it in the
workbench (created by hand counts as accepted): a suggested theme is the analysis's guess, not
yet something the consultant stands behind. Staff see the accepted themes of a closed round
before it is published, to check what publishing will show.

The rules are those of every other text outside the consultant's view ("why this value?",
:mod:`dialogue.synthesis.queries.traces`): a size is shown only from the dialogue's minimum group
size of distinct authors; quotes come only from themes with at least ``VERBATIM_MIN_AUTHORS`` (and
k) distinct authors, only visible texts, flagged details masked; and only texts that fit the
theme's name (:func:`analysis.name_fit.fits_name`), so that no quote stands under a name it says
nothing about. Consultation comments stay with the consultant (``rounds.results.reasons``): their
themes show names and sizes, never quotes; a round that asks again shows them beside each item
asked again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from analysis.name_fit import content_stems, fits_name
from dialogue.core.anonymity import VERBATIM_MIN_AUTHORS
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    ModerationState,
    Proposal,
    Round,
    RoundKind,
    RoundState,
    Theme,
    ThemeMember,
)
from dialogue.core.models.analysis import ThemeState
from dialogue.core.results_cache.codec import register
from dialogue.core.results_cache.final import stored_or_later, warmer
from dialogue.synthesis.queries.figures import theme_counts
from dialogue.synthesis.queries.quotes import quote_texts
from dialogue.synthesis.queries.traces import QUOTE_LENGTH, QUOTES_PER_THEME
from rounds import get_kind
from rounds.identifying import masked_pairs

#: Best-fitting texts of a theme read to find quotes that fit its name.
QUOTE_CANDIDATES = 40
#: Share of content words two quotes may have in common before the second repeats the first.
NEAR_IDENTICAL = 0.8
#: Themes named in the next round's short reminder.
RECALLED_THEMES = 6


@dataclass(frozen=True)
class FedTheme:
    """One accepted theme as readers see it; ``texts`` is None below the minimum group size."""

    id: int
    label: str
    description: str
    texts: int | None
    #: Ids (as strings) of the quoted texts; their words are read when a page shows them.
    quote_ids: tuple[str, ...] = ()

    @property
    def quotes(self) -> list[str]:
        """The quotes as shown now: flagged details masked, tidied, shortened."""
        return quote_texts(self.quote_ids, QUOTE_LENGTH) if self.quote_ids else []


@dataclass(frozen=True)
class FedPart:
    """The accepted themes of one part of a round (a culture round's strengths, one draft value)."""

    key: str
    label: Any
    themes: tuple[FedTheme, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ThemeFeedback:
    """A round's accepted themes part by part; ``per_item`` when each part is a draft value."""

    parts: tuple[FedPart, ...] = ()
    per_item: bool = False
    #: The themes changed (or the round closed) and a job is counting them anew.
    pending: bool = False

    def for_item(self, key: str) -> tuple[FedTheme, ...]:
        """The themes of the comments on one item (a draft value), largest first."""
        for part in self.parts:
            if part.key == key:
                return part.themes
        return ()

    @property
    def names(self) -> list[str]:
        """The themes' names, largest first within each part, for a short reminder."""
        return [theme.label for part in self.parts for theme in part.themes]


def round_themes(round_: Round, *, staff: bool = False) -> ThemeFeedback:
    """The accepted themes of a closed round, for participants and the public once published.

    ``staff``: the round need not be published (staff see its results before anyone else).
    Computed once per state of the round's themes and stored with its results, by the closed
    round's job (``dialogue.core.results_cache.final.finalise``): counting a theme's texts and
    choosing its quotes reads every member, seconds at a million texts. A page that finds them
    out of date (a theme edited, a text hidden) starts that job and gets feedback marked
    ``pending``, never the themes as they were.
    """
    kind = get_kind(round_.kind)
    if kind is None or round_.state_at(utcnow()) is not RoundState.CLOSED:
        return ThemeFeedback()
    if not staff and not round_.is_published:
        return ThemeFeedback()
    parts = kind.theme_parts(round_)
    if not parts:
        return ThemeFeedback()

    return stored_or_later(
        round_, "feedback:themes", lambda: _compute(round_, parts), ThemeFeedback(pending=True)
    )


@warmer
def _warm_round_themes(round_: Round) -> None:
    """Count the closed round's themes in its job, so that no reader waits for them."""
    round_themes(round_, staff=True)


def previous_themes(round_: Round) -> tuple[Round, ThemeFeedback] | None:
    """The latest earlier free-text round with published themes, for the next round's page.

    Consultation rounds are passed over: their themes belong to single draft values.
    """
    earlier = Session.scalars(
        select(Round)
        .where(
            Round.dialogue_id == round_.dialogue_id,
            Round.position < round_.position,
            Round.kind != RoundKind.CONSULTATION,
        )
        .order_by(Round.position.desc())
    )
    for candidate in earlier:
        fed = round_themes(candidate)
        if fed.names:
            return candidate, fed
    return None


def repeated_themes(round_: Round) -> ThemeFeedback:
    """The accepted themes per item of the round ``round_`` asks again, beside each item.

    Only where that round themes its comments and reasons item by item (a consultation), and
    under :func:`round_themes`' rules: once published, sizes from the minimum group size, no
    quotes. The template looks up the items asked again, so settled items show nothing.
    """
    kind = get_kind(round_.kind)
    repeated = kind.repeated_round(round_) if kind is not None else None
    if repeated is None:
        return ThemeFeedback()
    fed = round_themes(repeated)
    return fed if fed.per_item else ThemeFeedback()


def comment_themes(proposal: Proposal) -> tuple[FedTheme, ...]:
    """The accepted themes of the comments on a draft in its consultation, for staff."""
    if proposal.consultation_round_id is None:
        return ()
    round_ = Session.get(Round, proposal.consultation_round_id)
    return round_themes(round_, staff=True).for_item(proposal.item_key) if round_ else ()


def _compute(round_: Round, parts) -> ThemeFeedback:
    per_item = round_.kind is RoundKind.CONSULTATION
    k = round_.dialogue.min_group_size
    themes = Session.scalars(
        select(Theme)
        .where(Theme.round_id == round_.id, Theme.state == ThemeState.ACCEPTED)
        .order_by(Theme.id)
    ).all()
    counts = theme_counts(theme.id for theme in themes)
    fed_parts = []
    for key, label in parts:
        fed = []
        for theme in (t for t in themes if t.part == key):
            texts, authors = counts.get(theme.id, (0, 0))
            if not texts:
                continue
            quotes = ()
            if not per_item and authors >= max(VERBATIM_MIN_AUTHORS, k):
                quotes = _quote_ids(theme, round_.dialogue.language)
            fed.append(
                (
                    authors >= k,
                    texts,
                    FedTheme(
                        theme.id,
                        theme.label,
                        theme.description,
                        texts if authors >= k else None,
                        quotes,
                    ),
                )
            )
        # Shown sizes largest first; themes of hidden size after them, by name, so that their
        # order tells nothing about how small they are.
        fed.sort(key=lambda row: (not row[0], -row[1] if row[0] else 0, row[2].label.casefold()))
        if fed:
            # The label stays lazy, so the stored value reads in each reader's language.
            fed_parts.append(FedPart(key, label, tuple(row[2] for row in fed)))
    return ThemeFeedback(tuple(fed_parts), per_item)


def _quote_ids(theme: Theme, language: str) -> tuple[str, ...]:
    """The best-fitting visible texts of ``theme`` that fit its name, none repeating another.

    A text that shares most of its words with one chosen already (the same sentence with other
    punctuation, or one word changed) is passed over, so the quotes say different things.
    """
    rows = Session.execute(
        select(Contribution.id, Contribution.body)
        .join(ThemeMember, ThemeMember.contribution_id == Contribution.id)
        .where(
            ThemeMember.theme_id == theme.id,
            Contribution.moderation == ModerationState.VISIBLE,
            Contribution.body.is_not(None),
        )
        .order_by(func.coalesce(ThemeMember.score, 0.0).desc(), ThemeMember.contribution_id)
        .limit(QUOTE_CANDIDATES)
    ).all()
    chosen: list[str] = []
    chosen_words: list[frozenset[str]] = []
    for cid, text in masked_pairs(rows):
        if not (text or "").strip() or not fits_name(text, theme.label, language):
            continue
        words = content_stems(text, language)
        if any(_overlap(words, other) >= NEAR_IDENTICAL for other in chosen_words):
            continue
        chosen.append(str(cid))
        chosen_words.append(words)
        if len(chosen) == QUOTES_PER_THEME:
            break
    return tuple(chosen)


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two sets of words; two empty sets are the same."""
    union = a | b
    return len(a & b) / len(union) if union else 1.0


register(FedTheme, FedPart, ThemeFeedback)
