"""Reading the graph for people: a participant's own paths, and "why this value?".

Everything returned here is finished data for templates. Counts of people are shown only from
the dialogue's minimum group size on; verbatim quotes come only from themes with at least
``VERBATIM_MIN_AUTHORS`` distinct authors and only from visible contributions (TARGETS A5, A6).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from dialogue.core.anonymity import VERBATIM_MIN_AUTHORS
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Dialogue, ModerationState, Proposal, Round
from dialogue.core.models.proposal import Perspective, ProposalStatus, VersionStage
from dialogue.synthesis.queries.figures import cached_for, theme_counts, visible_totals
from dialogue.synthesis.queries.quotes import best_texts, quote_texts
from rounds import get_kind
from rounds.questions.reading import describe_text_answer
from rounds.results.cached import cached_results
from rounds.traceability import Graph, chunks, proposal_id_of

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

    @property
    def not_consulted(self) -> bool:
        """A final version that was never sent for consultation: readers are told so."""
        return self.is_final and self.consulted_title is None


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
        results = cached_results(round_, staff=False)
        if results.pending:  # no outcome until a job has computed the round's results
            continue
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
    """The paths of the participant's own contributions in one round.

    Only these contributions' placements are read, never anybody else's.
    """
    kind = get_kind(round_.kind)
    reached = graph.reach([contribution.id for contribution in contributions])
    placed = graph.placements([contribution.id for contribution in contributions])
    shown = [p for p in graph.proposals.values() if published_to_participants(p)]
    outcomes = consultation_outcomes(shown, published_only=True)
    views = {p.id: proposal_view(p, outcomes.get(p.id)) for p in shown}
    paths = []
    for contribution in contributions:
        target = proposal_id_of(contribution.target)
        paths.append(
            OwnPath(
                id=contribution.id,
                lines=describe_text_answer(contribution)
                or (kind.describe(round_, contribution) if kind else [contribution.body or ""]),
                hidden=contribution.moderation is ModerationState.HIDDEN,
                themes=[graph.themes[i].label for i in sorted(placed.get(contribution.id, ()))],
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
    #: Texts placed in it that their authors later withdrew or erased (the trace's note).
    withdrawn: int = 0


@dataclass(frozen=True)
class ValueTrace:
    """Everything "why this value?" shows: wording, themes, counts and anonymous quotes."""

    proposal: ProposalView
    themes: list[ThemeBehind]
    contributions: int | None
    participants: int | None
    commitments: int | None
    #: Texts behind it that their authors later withdrew or erased (the trace's note).
    withdrawn: int = 0


def _shown(count: int, authors: int, k: int) -> int | None:
    return count if authors >= k else None


def trace_figures(graph: Graph, proposal: Proposal, dialogue: Dialogue) -> dict:
    """The counts and quotes behind a proposal, from the database, stored while they hold."""
    k = dialogue.min_group_size
    theme_ids = graph.source_theme_ids(proposal)
    direct = graph.source_contribution_ids(proposal)

    def compute() -> dict:
        counts = theme_counts(theme_ids)
        quotes = {
            theme_id: best_texts(theme_id, QUOTES_PER_THEME)
            for theme_id, (_n, authors) in counts.items()
            if authors >= max(VERBATIM_MIN_AUTHORS, k)
        }
        return {"themes": counts, "quotes": quotes, "totals": visible_totals(theme_ids, direct)}

    rounds = {graph.themes[i].round_id for i in theme_ids}
    for ids in chunks(sorted(direct)):
        rounds.update(
            Session.scalars(select(Contribution.round_id).where(Contribution.id.in_(ids)))
        )
    key = (proposal.id, sorted(theme_ids), sorted(str(i) for i in direct), QUOTE_LENGTH)
    return cached_for(dialogue, f"trace:{proposal.id}", compute, key, rounds)


def value_trace(
    graph: Graph, proposal: Proposal, dialogue: Dialogue, *, staff: bool = False
) -> ValueTrace:
    """Why this value: the themes and numbers behind it, small groups suppressed.

    The consultation outcome is shown to staff always, to others once its round is published.
    """
    k = dialogue.min_group_size
    figures = trace_figures(graph, proposal, dialogue)
    themes, quoted = [], set()
    for theme in graph.source_themes(proposal):
        count, distinct = figures["themes"].get(theme.id, (0, 0))
        quotes = []
        for quote in quote_texts(figures["quotes"].get(theme.id, ()), QUOTE_LENGTH):
            if quote.casefold() not in quoted:  # a text in two of the value's themes, or twice
                quoted.add(quote.casefold())
                quotes.append(quote)
        themes.append(
            ThemeBehind(
                theme.label,
                _shown(count, distinct, k),
                _shown(distinct, distinct, k),
                quotes,
                theme.withdrawn_sources,
            )
        )
    count, distinct = figures["totals"]
    outcome = consultation_outcomes([proposal], published_only=not staff).get(proposal.id)
    return ValueTrace(
        proposal=proposal_view(proposal, outcome),
        themes=themes,
        contributions=_shown(count, distinct, k),
        participants=_shown(distinct, distinct, k),
        commitments=_commitments(proposal, k),
        withdrawn=proposal.withdrawn_sources,
    )


def _commitments(proposal: Proposal, k: int) -> int | None:
    """How many answers in later rounds target this proposal, once enough people gave them."""
    count, distinct = Session.execute(
        select(func.count(), func.count(func.distinct(Contribution.author)))
        .join(Round, Round.id == Contribution.round_id)
        .where(
            Round.dialogue_id == proposal.dialogue_id,
            Round.id != (proposal.consultation_round_id or 0),
            Contribution.target == proposal.item_key,
            Contribution.moderation == ModerationState.VISIBLE,
        )
    ).one()
    return _shown(count, distinct, k)
