"""Public pages: the final values of a public dialogue and why each was chosen.

Only a dialogue marked public shows anything, and only its final proposals; everything else is
"not found", the same answer as for a dialogue that does not exist. The pages show labels,
counts from the minimum group size on, and quotes only from themes large enough (TARGETS A5,
A6); they read nothing from the query string.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from dialogue.db import Session
from dialogue.models import Dialogue, Proposal
from dialogue.models.proposal import ProposalStatus
from dialogue.synthesis import forms
from dialogue.synthesis.graph import load_graph
from dialogue.synthesis.pages import strategy_map_cells
from dialogue.synthesis.traces import value_trace

bp = Blueprint("public", __name__, url_prefix="/p/<slug>")


def public_dialogue_or_404(slug: str) -> Dialogue:
    """A dialogue that is public; any other is "not found"."""
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == slug, Dialogue.is_public))
    if dialogue is None:
        abort(404)
    return dialogue


@bp.route("/values/")
def values(slug: str):
    """The final values and initiatives of a public dialogue, by strategy-map perspective."""
    dialogue = public_dialogue_or_404(slug)
    cells, unplaced = strategy_map_cells(load_graph(dialogue))
    return render_template(
        "public/values.html",
        dialogue=dialogue,
        cells=cells,
        unplaced=unplaced,
        labels=forms,
        value_endpoint="public.value",
    )


@bp.route("/values/<int:proposal_id>")
def value(slug: str, proposal_id: int):
    """Why this value? Themes, numbers and anonymous quotes behind one final value."""
    dialogue = public_dialogue_or_404(slug)
    proposal = Session.get(Proposal, proposal_id)
    if (
        proposal is None
        or proposal.dialogue_id != dialogue.id
        or proposal.status is not ProposalStatus.FINAL
    ):
        abort(404)
    graph = load_graph(dialogue)
    trace = value_trace(graph, graph.proposals[proposal.id], dialogue)
    return render_template("public/value.html", dialogue=dialogue, trace=trace, labels=forms)
