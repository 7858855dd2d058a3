"""What "why this value?" adds to close the loop: member-check confirmations and progress."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dialogue.core.db import Session
from dialogue.core.models import Dialogue, FollowUp, Proposal
from dialogue.membercheck.services import confirmation
from dialogue.synthesis.graph import Graph


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
