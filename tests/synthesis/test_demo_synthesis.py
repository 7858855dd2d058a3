"""The demo's synthesis chain: run after round 1's analysis, every link holds."""

import random

from sqlalchemy import select

from dialogue.db import Session
from dialogue.demo import _authors, content
from dialogue.demo.synthesis import add_synthesis
from dialogue.models import Contribution, Dialogue, Membership, Role
from dialogue.models.proposal import ProposalStatus
from dialogue.synthesis.coverage import coverage
from dialogue.synthesis.graph import load_graph, proposal_id_of
from rounds.synthesis import run_analysis
from tests.dialogue.test_demo import run_demo


def test_demo_synthesis_runs_the_whole_chain(app, db_session):
    run_demo(app)
    with app.test_request_context():
        dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
        run_analysis(dialogue.rounds[0], seed=0)
        people = [
            m.person
            for m in Session.scalars(
                select(Membership).where(
                    Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT
                )
            )
        ]
        add_synthesis(dialogue, _authors(dialogue, people), random.Random(6))
        graph = load_graph(dialogue)
        statuses = sorted(p.status.value for p in graph.proposals.values())
        assert statuses.count(ProposalStatus.FINAL.value) == 6  # four values, two initiatives
        assert statuses.count(ProposalStatus.DROPPED.value) == 1
        assert graph.orphan_sources() == []
        finals = graph.final_ids()
        action, consultation = dialogue.rounds[4], dialogue.rounds[3]
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
