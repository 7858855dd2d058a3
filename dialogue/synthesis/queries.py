"""What the synthesis pages read, and the public and follow-up pages with them.

Who may author proposals, a proposal of the member's own dialogue, the strategy map's cells,
and what "why this value?" adds to close the loop (member-check confirmations and progress).
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dialogue.core.access import member_or_404, require_roles
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, FollowUp, Proposal, Role
from dialogue.core.models.proposal import Perspective
from dialogue.membercheck.services import confirmation
from dialogue.synthesis.traces import proposal_view
from rounds.traceability import Graph

AUTHORS = (Role.CONSULTANT, Role.MANAGEMENT)


def synthesis_member(slug: str):
    """Management or the consultant of dialogue ``slug``."""
    return require_roles(member_or_404(slug), *AUTHORS)


def proposal_or_404(membership, proposal_id: int) -> Proposal:
    """A proposal of the member's own dialogue."""
    proposal = Session.get(Proposal, proposal_id)
    if proposal is None or proposal.dialogue_id != membership.dialogue_id:
        abort(404)
    return proposal


def strategy_map_cells(graph) -> tuple[list[tuple[Perspective, list]], list]:
    """Final proposals by perspective (the four cells), and those placed on none."""
    finals = [graph.proposals[i] for i in sorted(graph.final_ids())]
    finals.sort(key=lambda p: (p.position, p.id))
    cells = [(p, [proposal_view(x) for x in finals if x.perspective is p]) for p in Perspective]
    unplaced = [proposal_view(x) for x in finals if x.perspective is None]
    return cells, unplaced


def closing_the_loop(graph: Graph, proposal: Proposal, dialogue: Dialogue) -> dict:
    """Template context for a value's page: confirmations (k-gated) and initiatives with notes."""
    progress = Session.scalars(
        select(FollowUp)
        .where(FollowUp.proposal_id == proposal.id)
        .options(selectinload(FollowUp.notes))
        .order_by(FollowUp.created_on, FollowUp.id)
    ).all()
    return {
        "confirmation": confirmation(graph, graph.proposals[proposal.id], dialogue),
        "progress": list(progress),
    }
