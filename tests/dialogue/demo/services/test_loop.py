"""The demo closes the loop: member checks, initiatives with progress, a factor and a review."""

from sqlalchemy import func, select

from dialogue.core.db import Session
from dialogue.core.models import Dialogue, FollowUp, FollowUpReview, MemberCheck, Membership, Role
from dialogue.core.models.followup import FollowUpOrigin
from dialogue.core.models.proposal import ProposalKind
from dialogue.demo.services import content
from rounds.traceability import load_graph
from tests.dialogue.demo.test_cli import run_demo
from tests.dialogue.participate.views.test_rounds import log_in_participant


def test_the_demo_shows_member_checks_and_follow_up_with_content(app, db_session, client):
    run_demo(app)
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == content.SLUG))
    checks = Session.scalars(select(MemberCheck)).all()
    contested = [c for c in checks if c.answer.contested]
    assert len(checks) > len(contested) > 0
    assert 0 < sum(c.dealt_with for c in contested) < len(contested)  # some dealt with, some open
    items = Session.scalars(select(FollowUp)).all()
    assert {i.origin for i in items} == set(FollowUpOrigin)
    assert all(i.notes for i in items)
    assert len({i.status for i in items}) >= 3
    graph = load_graph(dialogue)
    values = [
        graph.proposals[i]
        for i in graph.final_ids()
        if graph.proposals[i].kind is ProposalKind.VALUE
    ]
    assert {v.id for v in values} <= {i.proposal_id for i in items}
    assert Session.scalar(select(func.count()).select_from(FollowUpReview)) == 1
    # The second participant whose link the command prints (the browser tests log in with it)
    # sees a contested contribution that was dealt with, and one still open.
    second = Session.scalars(
        select(Membership)
        .where(Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT)
        .order_by(Membership.id)
    ).all()[1]
    log_in_participant(client, second)
    page = client.get(f"/d/{content.SLUG}/my-input").get_data(as_text=True)
    assert "Dit bidrag blev behandlet" in page
    assert "Konsulenten ser på dit svar" in page
    public = client.get(f"/p/{content.SLUG}/values/{values[0].id}").get_data(as_text=True)
    assert "bekræftede, at temaet ramte" in public
    assert "Ansvarlig:" in public
