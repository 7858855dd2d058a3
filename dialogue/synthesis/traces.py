"""Reading the graph for people: a participant's own paths, and "why this value?".

Everything returned here is finished data for templates. Counts of people are shown only from
the dialogue's minimum group size on; verbatim quotes come only from themes with at least
``QUOTE_MIN_AUTHORS`` distinct authors and only from visible contributions (TARGETS A5, A6).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from dialogue.db import Session
from dialogue.models import Contribution, Dialogue, ModerationState, Proposal, Round
from dialogue.models.proposal import Perspective, ProposalStatus, VersionStage
from dialogue.synthesis.graph import Graph, proposal_id_of, visible_authors
from rounds import get_kind
from rounds.identifying import masked_text

#: Verbatim text outside the consultant's view comes only from groups at least this large (A6).
QUOTE_MIN_AUTHORS = 8
QUOTES_PER_THEME = 2
QUOTE_LENGTH = 300


@dataclass(frozen=True)
class Outcome:
    """How a proposal fared in its consultation round (shown once the round's results are)."""

    round_title: str
    respondents: int | None
    mean: float | None
    share_agree: float | None
    verdict: str | None


@dataclass(frozen=True)
class ProposalView:
    """A proposal as readers see it: its wording then and now, and why it changed."""

    id: int
    kind: str
    status: ProposalStatus
    perspective: Perspective | None
    title: str
    text: str
    consulted_title: str | None
    change_note: str
    outcome: Outcome | None = None

    @property
    def is_final(self) -> bool:
        """Whether this is a final value, strategy or initiative."""
        return self.status is ProposalStatus.FINAL


def consultation_outcomes(proposals: Iterable[Proposal], *, published_only: bool):
    """Proposal id → consultation outcome, from each consultation round's results."""
    by_round: dict[int, list[Proposal]] = {}
    for proposal in proposals:
        if proposal.consultation_round_id is not None:
            by_round.setdefault(proposal.consultation_round_id, []).append(proposal)
    outcomes = {}
    for round_id, consulted in by_round.items():
        round_ = Session.get(Round, round_id)
        kind = get_kind(round_.kind) if round_ is not None else None
        if kind is None or (published_only and not round_.is_published):
            continue
        results = kind.results(round_, None)
        items = {item.key: item for item in results.items}
        for proposal in consulted:
            item = items.get(proposal.item_key)
            ratings = item.ratings if item is not None else None
            outcomes[proposal.id] = Outcome(
                round_.title,
                item.authors if item is not None else None,
                ratings.mean if ratings is not None and ratings.n else None,
                ratings.share_agree if ratings is not None and ratings.n else None,
                str(item.verdict_label) if item is not None and item.verdict else None,
            )
    return outcomes


def proposal_view(proposal: Proposal, outcome: Outcome | None = None) -> ProposalView:
    """A proposal's readable state."""
    consulted = proposal.version_at(VersionStage.CONSULTATION)
    closing = proposal.version_at(VersionStage.FINAL) or proposal.version_at(VersionStage.DROPPED)
    return ProposalView(
        id=proposal.id,
        kind=proposal.kind.value,
        status=proposal.status,
        perspective=proposal.perspective,
        title=proposal.current.title,
        text=proposal.current.text,
        consulted_title=consulted.title if consulted is not None else None,
        change_note=closing.change_note if closing is not None else "",
        outcome=outcome,
    )


# --- my input ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnPath:
    """One of the participant's contributions and where it went."""

    id: uuid.UUID
    lines: list[str]
    hidden: bool
    themes: list[str]
    proposals: list[ProposalView]
    answers: ProposalView | None

    @property
    def reaches_final(self) -> bool:
        """Whether the contribution stands behind (or answers) at least one final proposal."""
        return any(p.is_final for p in self.proposals) or bool(
            self.answers and self.answers.is_final
        )


def published_to_participants(proposal: Proposal) -> bool:
    """Drafts stay management's until published: participants see no unpublished wording."""
    return proposal.status is not ProposalStatus.DRAFT


def own_paths(graph: Graph, round_: Round, contributions: list[Contribution]) -> list[OwnPath]:
    """The paths of the participant's own contributions in one round."""
    kind = get_kind(round_.kind)
    reached = graph.reach()
    shown = [p for p in graph.proposals.values() if published_to_participants(p)]
    outcomes = consultation_outcomes(shown, published_only=True)
    views = {p.id: proposal_view(p, outcomes.get(p.id)) for p in shown}
    paths = []
    for contribution in contributions:
        target = proposal_id_of(contribution.target)
        paths.append(
            OwnPath(
                id=contribution.id,
                lines=kind.describe(round_, contribution) if kind else [contribution.body or ""],
                hidden=contribution.moderation is ModerationState.HIDDEN,
                themes=[theme.label for theme in graph.themes_of(contribution.id)],
                proposals=[
                    views[i] for i in sorted(reached.get(contribution.id, ())) if i in views
                ],
                answers=views.get(target) if target is not None else None,
            )
        )
    return paths


# --- why this value? ------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeBehind:
    """A theme behind a value, with its size once it is large enough to show."""

    label: str
    contributions: int | None
    participants: int | None
    quotes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ValueTrace:
    """Everything "why this value?" shows: wording, themes, counts and anonymous quotes."""

    proposal: ProposalView
    themes: list[ThemeBehind]
    contributions: int | None
    participants: int | None
    commitments: int | None


def _shown(count: int, authors: int, k: int) -> int | None:
    return count if authors >= k else None


def _quotes(graph: Graph, theme_id: int, authors: dict[uuid.UUID, str], k: int) -> list[str]:
    """The theme's best-fitting visible texts, if it has enough distinct authors (A6)."""
    members = [cid for cid in graph.members.get(theme_id, ()) if cid in authors]
    if len({authors[cid] for cid in members}) < max(QUOTE_MIN_AUTHORS, k):
        return []
    theme = graph.themes[theme_id]
    scores = {m.contribution_id: m.score or 0.0 for m in theme.members}
    best = sorted(members, key=lambda cid: (-scores.get(cid, 0.0), str(cid)))
    quotes = []
    for cid in best:
        body = masked_text(cid, Session.get(Contribution, cid).body)
        if body and body.strip():
            text = " ".join(body.split())
            quotes.append(text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1] + "…")
        if len(quotes) == QUOTES_PER_THEME:
            break
    return quotes


def value_trace(
    graph: Graph, proposal: Proposal, dialogue: Dialogue, *, staff: bool = False
) -> ValueTrace:
    """Why this value: the themes and numbers behind it, small groups suppressed.

    The consultation outcome is shown to staff always, to others once its round is published.
    """
    k = dialogue.min_group_size
    behind = graph.contributions_behind(proposal)
    authors = visible_authors(behind)
    themes = []
    for theme in graph.source_themes(proposal):
        ids = [cid for cid in graph.members.get(theme.id, ()) if cid in authors]
        distinct = len({authors[cid] for cid in ids})
        themes.append(
            ThemeBehind(
                theme.label,
                _shown(len(ids), distinct, k),
                _shown(distinct, distinct, k),
                _quotes(graph, theme.id, authors, k),
            )
        )
    distinct = len(set(authors.values()))
    outcome = consultation_outcomes([proposal], published_only=not staff).get(proposal.id)
    return ValueTrace(
        proposal=proposal_view(proposal, outcome),
        themes=themes,
        contributions=_shown(len(authors), distinct, k),
        participants=_shown(distinct, distinct, k),
        commitments=_commitments(proposal, k),
    )


def _commitments(proposal: Proposal, k: int) -> int | None:
    """How many answers in later rounds target this proposal, once enough people gave them."""
    from sqlalchemy import select

    rows = Session.execute(
        select(Contribution.author)
        .join(Round, Round.id == Contribution.round_id)
        .where(
            Round.dialogue_id == proposal.dialogue_id,
            Round.id != (proposal.consultation_round_id or 0),
            Contribution.target == proposal.item_key,
            Contribution.moderation == ModerationState.VISIBLE,
        )
    ).all()
    return _shown(len(rows), len({row.author for row in rows}), k)
