"""Texts in no theme that reach no final value come in groups, one decision per group."""

from __future__ import annotations

from sqlalchemy import func, select

from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, CoverageMark, Membership
from dialogue.core.models.proposal import CoverageStatus
from dialogue.synthesis.queries.coverage import coverage
from dialogue.synthesis.queries.uncovered import group_ids, group_texts
from dialogue.synthesis.services.coverage import mark_group
from rounds.traceability import load_graph
from tests.conftest import csrf_from
from tests.factories import STAFF_PASSWORD, make_contribution, make_member
from tests.logins import staff_login


def add_lonely_texts(case, count):
    return [
        make_contribution(case.round_, make_member(case.dialogue), f"Ensom tekst nummer {n}")
        for n in range(count)
    ]


def test_unthemed_texts_are_grouped_by_round_and_paged(case, request_context):
    add_lonely_texts(case, 120)
    graph = load_graph(case.dialogue)
    (group,) = coverage(graph, case.dialogue).groups
    assert (group.round_id, group.part, group.count, group.decided) == (case.round_.id, "", 121, 0)
    seen = []
    for page in (1, 2, 3):
        texts, pages = group_texts(graph, case.dialogue, case.round_, "", page=page, size=50)
        assert pages == 3
        seen += [text.id for text in texts]
    assert len(seen) == len(set(seen)) == 121


def test_one_decision_marks_every_text_of_a_group_and_can_be_cleared(case, request_context):
    add_lonely_texts(case, 30)
    graph = load_graph(case.dialogue)
    ids = group_ids(graph, case.dialogue, case.round_, "")
    count = mark_group(
        case.dialogue, ids, status=CoverageStatus.FOLLOW_UP, reason="Ses på igen", actor_id=None
    )
    assert count == 31
    (group,) = coverage(load_graph(case.dialogue), case.dialogue).groups
    assert group.decided == 31
    texts, _pages = group_texts(graph, case.dialogue, case.round_, "", page=1, size=50)
    assert {text.mark.status for text in texts} == {CoverageStatus.FOLLOW_UP}
    assert Session.scalar(select(AuditEvent).where(AuditEvent.action == "coverage.mark"))
    mark_group(case.dialogue, ids, status=None, actor_id=None)
    assert Session.scalar(select(func.count()).select_from(CoverageMark)) == 0


def test_the_consultant_decides_on_a_group_from_the_page(case, client):
    add_lonely_texts(case, 60)
    staff_login(client, Session.get(Membership, case.consultant.id).person.email, STAFF_PASSWORD)
    slug = case.dialogue.slug
    group = f"/d/{slug}/coverage/rounds/{case.round_.id}/texts?part="
    first = client.get(group).get_data(as_text=True)
    assert first.count('class="mark-form"') == 51  # fifty texts and the group's own form
    assert "Side 1 af 2" in first
    assert client.get(f"{group}&page=2").status_code == 200
    assert client.get(f"/d/{slug}/coverage/rounds/{case.round_.id}/texts?part=x").status_code == 404

    page = client.post(
        group,
        data={"csrf_token": csrf_from(client.get(group)), "status": "left_out", "reason": ""},
        follow_redirects=True,
    )
    assert "Skriv, hvorfor det udelades." in page.get_data(as_text=True)
    assert Session.scalar(select(func.count()).select_from(CoverageMark)) == 0
    page = client.post(
        group,
        data={
            "csrf_token": csrf_from(client.get(group)),
            "status": "left_out",
            "reason": "Uden for opgaven",
        },
        follow_redirects=True,
    )
    assert "Beslutningen er gemt for 61 bidrag." in page.get_data(as_text=True)

    # Nothing is chosen in advance, so saving without a choice keeps the group's decisions.
    form = client.get(group).get_data(as_text=True)
    assert form.split('class="mark-form"')[1].split("</form>")[0].count(" checked") == 0
    page = client.post(
        group, data={"csrf_token": csrf_from(client.get(group))}, follow_redirects=True
    )
    assert "Vælg en beslutning." in page.get_data(as_text=True)
    assert Session.scalar(select(func.count()).select_from(CoverageMark)) == 61
    page = client.post(
        group,
        data={"csrf_token": csrf_from(client.get(group)), "status": "clear"},
        follow_redirects=True,
    )
    assert "Beslutningerne er fjernet." in page.get_data(as_text=True)
    assert Session.scalar(select(func.count()).select_from(CoverageMark)) == 0


def test_management_never_reads_a_groups_texts(case, client):
    staff_login(client, Session.get(Membership, case.management.id).person.email, STAFF_PASSWORD)
    url = f"/d/{case.dialogue.slug}/coverage/rounds/{case.round_.id}/texts?part="
    assert client.get(url).status_code == 403
