"""What the consultant's report holds: one reading, shared by the printable page and the Word file.

Both show the same rounds and results, themes, final values with their trace and the proposals
set aside, with the same suppression, because both take them from :func:`report_contents`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dialogue.core.models import Dialogue, Round
from dialogue.core.models.proposal import ProposalStatus
from dialogue.synthesis.queries import exports
from dialogue.synthesis.queries.traces import (
    ProposalView,
    ValueTrace,
    consultation_outcomes,
    proposal_view,
    value_trace,
)
from rounds import get_kind
from rounds.results.cached import cached_results
from rounds.results.records import RoundResults
from rounds.traceability import Graph, load_graph

#: Themes the report lists: those the consultant has not rejected or merged away.
REPORTED_THEME_STATES = ("suggested", "accepted")


@dataclass(frozen=True)
class ReportContents:
    """The report's parts, each already suppressed for small groups."""

    graph: Graph
    rounds: list[tuple[Round, RoundResults | None]]
    themes: list[dict[str, Any]]
    traces: list[ValueTrace]
    dropped: list[ProposalView]


def report_contents(dialogue: Dialogue) -> ReportContents:
    """Rounds with their public results, themes with sizes, final values with their trace."""
    graph = load_graph(dialogue)
    rounds = [
        (round_, cached_results(round_, staff=False) if get_kind(round_.kind) else None)
        for round_ in dialogue.rounds
    ]
    finals = [graph.proposals[i] for i in sorted(graph.final_ids())]
    outcomes = consultation_outcomes(graph.proposals.values(), published_only=False)
    return ReportContents(
        graph=graph,
        rounds=rounds,
        themes=[
            row
            for row in exports.theme_rows(graph, dialogue)
            if row["state"] in REPORTED_THEME_STATES
        ],
        traces=[value_trace(graph, p, dialogue, staff=True) for p in finals],
        dropped=[
            proposal_view(p, outcomes.get(p.id))
            for p in graph.proposals.values()
            if p.status is ProposalStatus.DROPPED
        ],
    )
