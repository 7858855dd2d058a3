"""The admin's accounts page and ``dialogue reset-mfa`` (TARGETS S5, S7)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dialogue.accounts.cli import reset_mfa_command
from dialogue.admin.queries import participant_list
from dialogue.core.access import PER_PAGE
from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Dialogue, Person, Role
from tests.conftest import csrf_from, live_sessions
from tests.factories import STAFF_PASSWORD, make_dialogue, make_member
from tests.logins import password_step, staff_login


@pytest.fixture
def team(db_session):
    dialogue = make_dialogue()
    return {
        "admin": make_member(dialogue, Role.ADMIN),
        "consultant": make_member(dialogue, Role.CONSULTANT),
        "participant": make_member(dialogue),
        "stranger": make_member(make_dialogue(), Role.CONSULTANT),
    }


def page_url(team):
    return f"/d/{team['admin'].dialogue.slug}/admin/accounts"


def act(client, team, member, action):
    csrf = csrf_from(client.get(page_url(team)))
    return client.post(f"{page_url(team)}/{member.id}/{action}", data={"csrf_token": csrf})


def fresh(membership) -> Person:
    return Session.get(Person, membership.person_id)


def test_the_page_lists_the_dialogues_people_only(client, team):
    staff_login(client, team["admin"].person.email, STAFF_PASSWORD)
    html = client.get(page_url(team)).get_data(as_text=True)
    for role in ("admin", "consultant", "participant"):
        assert team[role].person.email in html
    assert team["stranger"].person.email not in html
    assert "Nulstil totrinslogin" in html


def test_resetting_two_factor_logs_out_and_asks_for_enrolment(client, other_client, team):
    consultant = team["consultant"]
    staff_login(other_client, consultant.person.email, STAFF_PASSWORD)
    staff_login(client, team["admin"].person.email, STAFF_PASSWORD)

    response = act(client, team, consultant, "reset-mfa")

    assert response.status_code == 302
    assert "Totrinslogin er nulstillet" in client.get(page_url(team)).get_data(as_text=True)
    person = fresh(consultant)
    assert person.totp_secret is None
    assert person.totp_last_counter is None
    assert "/login" in other_client.get("/home").headers["Location"]  # logged out at once
    password_step(other_client, consultant.person.email, STAFF_PASSWORD)
    assert other_client.get("/login/code").headers["Location"].endswith("/login/code/setup")
    [event] = Session.scalars(select(AuditEvent).where(AuditEvent.action == "reset_mfa")).all()
    assert event.actor_id == team["admin"].person_id
    assert event.dialogue_id == team["admin"].dialogue_id
    assert event.subject == f"person:{consultant.person_id}"
    assert event.details == {"sessions_ended": 1}


def test_disable_enable_and_end_sessions_from_the_page(client, other_client, team):
    participant = team["participant"]
    staff_login(client, team["admin"].person.email, STAFF_PASSWORD)

    assert act(client, team, participant, "disable").status_code == 302
    assert fresh(participant).is_active is False
    assert act(client, team, participant, "enable").status_code == 302
    assert fresh(participant).is_active is True

    staff_login(other_client, team["consultant"].person.email, STAFF_PASSWORD)
    assert act(client, team, team["consultant"], "end-sessions").status_code == 302
    assert live_sessions(team["consultant"].person_id) == 0
    actions = Session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_id == team["admin"].person_id)
    ).all()
    assert {"disable_user", "enable_user", "end_sessions"} <= set(actions)
    # Counts and internal ids only: no name or address of the person in the audit trail.
    for event in Session.scalars(select(AuditEvent)).all():
        assert participant.person.email not in f"{event.subject} {event.details}"


@pytest.mark.parametrize(
    ("target", "action", "status"),
    [
        ("stranger", "disable", 404),  # another dialogue's member is not found
        ("participant", "reset-mfa", 409),  # participants have no second factor
        ("admin", "disable", 409),  # no locking oneself out from the page
        ("admin", "reset-mfa", 409),
    ],
)
def test_refused_actions_change_nothing(client, team, target, action, status):
    staff_login(client, team["admin"].person.email, STAFF_PASSWORD)
    response = act(client, team, team[target], action)
    assert response.status_code == status
    person = fresh(team[target])
    assert person.is_active
    assert person.totp_secret is not None or not team[target].role.is_staff
    assert Session.scalars(select(AuditEvent).where(AuditEvent.action == "reset_mfa")).all() == []


def test_the_actions_need_a_csrf_token(client, team):
    staff_login(client, team["admin"].person.email, STAFF_PASSWORD)
    response = client.post(f"{page_url(team)}/{team['participant'].id}/disable")
    assert response.status_code == 400
    assert fresh(team["participant"]).is_active


def test_cli_reset_mfa(app, db_session, team):
    consultant = team["consultant"]
    result = app.test_cli_runner().invoke(reset_mfa_command, [consultant.person.email])
    assert result.exit_code == 0, result.output
    assert "reset" in result.output
    assert fresh(consultant).totp_secret is None
    event = Session.scalar(select(AuditEvent).where(AuditEvent.action == "reset_mfa"))
    assert event.actor_id is None
    unknown = app.test_cli_runner().invoke(reset_mfa_command, ["nobody@example.org"])
    assert unknown.exit_code != 0


def test_participants_are_paged_in_the_participant_lists_order(client, team):
    dialogue = team["admin"].dialogue
    for _ in range(55):
        make_member(dialogue)
    staff_login(client, team["admin"].person.email, STAFF_PASSWORD)
    emails = re.compile(r"<td>(person\d+@example\.org)</td>")
    pages = [client.get(f"{page_url(team)}?page={n}").get_data(as_text=True) for n in (1, 2)]
    listed = [emails.findall(page.split('id="participants-heading"')[1]) for page in pages]
    dialogue = Session.get(Dialogue, dialogue.id)
    expected = [row[2] for n in (1, 2) for row in participant_list(dialogue, n, PER_PAGE)]
    assert [len(page) for page in listed] == [50, 6]
    assert [email for page in listed for email in page] == expected


def test_the_search_finds_participants_by_department_on_every_page(client, team):
    dialogue = team["admin"].dialogue
    jobcentre = [make_member(dialogue, department="Jobcenter") for _ in range(52)]
    make_member(dialogue, department="Borgerservice")
    staff_login(client, team["admin"].person.email, STAFF_PASSWORD)
    emails = re.compile(r"<td>(person\d+@example\.org)</td>")
    pages = [
        client.get(f"{page_url(team)}?q=jobcenter&page={n}").get_data(as_text=True) for n in (1, 2)
    ]
    listed = [emails.findall(page.split('id="participants-heading"')[1]) for page in pages]
    assert [len(page) for page in listed] == [50, 2]
    assert {email for page in listed for email in page} == {m.person.email for m in jobcentre}
    assert "52 deltagere passer til “jobcenter”." in pages[0]
    assert "q=jobcenter" in pages[0].split('rel="next"')[0].rsplit("href=", 1)[1]
    nothing = client.get(f"{page_url(team)}?q=nowhere").get_data(as_text=True)
    assert "Ingen deltager passer til søgningen." in nothing
