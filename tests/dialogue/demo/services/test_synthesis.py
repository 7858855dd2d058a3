"""The demo's synthesis chain: run after round 1's analysis, every link holds."""

from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, Dialogue
from dialogue.core.models.proposal import ProposalStatus
from dialogue.demo.services import content
from dialogue.synthesis.queries.coverage import coverage
from rounds.traceability import load_graph, proposal_id_of
from tests.dialogue.demo.test_cli import run_demo


def test_demo_synthesis_runs_the_whole_chain(app, db_session):
    # The demo analyses round 1 and then runs the synthesis chain itself.
    run_demo(app)
    with app.test_request_context():
        dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
        graph = load_graph(dialogue)
        statuses = sorted(p.status.value for p in graph.proposals.values())
        assert statuses.count(ProposalStatus.FINAL.value) == 6  # four values, two initiatives
        assert statuses.count(ProposalStatus.DROPPED.value) == 1
        assert graph.orphan_sources() == []
        finals = graph.final_ids()
        action, consultation = dialogue.rounds[-1], dialogue.rounds[3]
        targets = Session.scalars(
            select(Contribution.target).where(
                Contribution.round_id.in_([action.id, consultation.id])
            )
        ).all()
        assert targets
        assert all(proposal_id_of(t) in graph.proposals for t in targets)
        assert {proposal_id_of(i["key"]) for i in action.settings["items"]} <= finals
        result = coverage(graph, dialogue)
        assert 0 < result.reached_contributions < result.contributions
        assert any(theme.mark for theme in result.themes)
