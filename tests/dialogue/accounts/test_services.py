"""Disabling a user ends their sessions; an admin can end every session (TARGETS S5, ASVS 7.4).

A browser that is logged in when its account is disabled, or when an admin ends all sessions,
is logged out on its very next request (a redirect to the login page), and a replayed copy of
its cookie stays refused.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from dialogue.accounts import services as accounts
from dialogue.accounts.cli import disable_user_command, enable_user_command, end_sessions_command
from dialogue.auth.services.logins import issue_login_link
from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Membership, Person, Role
from tests.conftest import csrf_from, in_app, live_sessions
from tests.factories import STAFF_PASSWORD, make_dialogue, make_member, make_round
from tests.logins import staff_login


def link_login(client, membership) -> None:
    membership = Session.get(Membership, membership.id)  # attached to the current session
    token = issue_login_link(membership, dt.timedelta(hours=1))
    csrf = csrf_from(client.get(f"/link/{token}"))
    assert client.post(f"/link/{token}", data={"csrf_token": csrf}).status_code == 302


def logged_out(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.fixture
def participant(db_session):
    dialogue = make_dialogue()
    round_ = make_round(dialogue)
    return make_member(dialogue), f"/d/{dialogue.slug}/rounds/{round_.id}/"


def invoke(app, command, *args):
    return app.test_cli_runner().invoke(command, list(args))


def fresh(person_id: int) -> Person:
    """The person, loaded anew (each request ends the scoped session it was loaded in)."""
    return Session.get(Person, person_id)


def sessions_of(person_id: int) -> int:
    return live_sessions(person_id)


def test_disabling_a_participant_logs_them_out_on_their_next_request(client, participant):
    membership, page = participant
    link_login(client, membership)
    assert client.get(page).status_code == 200
    cookie = client.get_cookie("session").value

    ended = in_app(accounts.disable_person, fresh(membership.person_id), actor_id=None)

    assert ended == 1
    assert sessions_of(membership.person_id) == 0
    assert fresh(membership.person_id).is_active is False
    assert logged_out(client.get(page))
    client.set_cookie("session", cookie)  # a replayed copy is refused as well
    assert logged_out(client.get(page))


def test_disabling_staff_logs_them_out_and_is_audited_with_the_actor(client, participant):
    admin = make_member(make_dialogue(), Role.ADMIN)
    consultant = make_member(make_dialogue(), Role.CONSULTANT)
    assert staff_login(client, consultant.person.email, STAFF_PASSWORD).status_code == 302
    assert not logged_out(client.get("/home"))

    in_app(accounts.disable_person, fresh(consultant.person_id), actor_id=admin.person_id)

    assert logged_out(client.get("/home"))
    event = Session.scalar(select(AuditEvent).where(AuditEvent.action == "disable_user"))
    assert event.actor_id == admin.person_id
    assert event.subject == f"person:{consultant.person_id}"
    assert event.details == {"sessions_ended": 1}
    assert consultant.person.email not in repr(event.details) + event.subject


def test_a_disabled_account_cannot_log_in_again_until_enabled(client, participant):
    consultant = make_member(make_dialogue(), Role.CONSULTANT)
    in_app(accounts.disable_person, fresh(consultant.person_id))
    staff_login(client, consultant.person.email, STAFF_PASSWORD)
    assert logged_out(client.get("/home"))

    in_app(accounts.enable_person, fresh(consultant.person_id))
    assert staff_login(client, consultant.person.email, STAFF_PASSWORD).status_code == 302
    assert not logged_out(client.get("/home"))
    actions = Session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["disable_user", "enable_user", "login"]


def test_a_disabled_participants_link_no_longer_logs_in(client, participant):
    membership, page = participant
    in_app(accounts.disable_person, fresh(membership.person_id))
    token = issue_login_link(membership, dt.timedelta(hours=1))
    response = client.get(f"/link/{token}")
    if response.status_code == 200 and 'name="csrf_token"' in response.get_data(as_text=True):
        client.post(f"/link/{token}", data={"csrf_token": csrf_from(response)})
    assert logged_out(client.get(page))


def test_ending_every_session_logs_everybody_out(client, other_client, participant):
    membership, page = participant
    consultant = make_member(make_dialogue(), Role.CONSULTANT)
    link_login(client, membership)
    staff_login(other_client, consultant.person.email, STAFF_PASSWORD)
    assert client.get(page).status_code == 200
    assert not logged_out(other_client.get("/home"))

    ended = in_app(accounts.end_every_session, actor_id=consultant.person_id)

    assert ended >= 2
    assert live_sessions() == 0
    assert logged_out(client.get(page))
    assert logged_out(other_client.get("/home"))
    event = Session.scalar(select(AuditEvent).where(AuditEvent.action == "end_all_sessions"))
    assert event.actor_id == consultant.person_id
    assert event.details == {"sessions_ended": ended}
    # Nobody was disabled: logging in again works.
    link_login(client, membership)
    assert client.get(page).status_code == 200


def test_cli_disable_user_logs_out_and_enable_user_lets_back_in(app, client, participant):
    membership, page = participant
    link_login(client, membership)
    email = membership.person.email

    result = invoke(app, disable_user_command, email.upper())
    assert result.exit_code == 0, result.output
    assert "1 session(s) ended" in result.output
    assert logged_out(client.get(page))
    assert Session.get(Person, membership.person_id).is_active is False

    result = invoke(app, enable_user_command, email)
    assert result.exit_code == 0, result.output
    assert Session.get(Person, membership.person_id).is_active is True
    link_login(client, membership)
    assert client.get(page).status_code == 200


def test_cli_end_sessions_for_one_account_or_for_all(app, client, other_client, participant):
    membership, page = participant
    consultant = make_member(make_dialogue(), Role.CONSULTANT)
    link_login(client, membership)
    staff_login(other_client, consultant.person.email, STAFF_PASSWORD)

    result = invoke(app, end_sessions_command, "--email", membership.person.email)
    assert result.exit_code == 0, result.output
    assert logged_out(client.get(page))
    assert not logged_out(other_client.get("/home"))
    assert Session.get(Person, membership.person_id).is_active is True

    result = invoke(app, end_sessions_command, "--all")
    assert result.exit_code == 0, result.output
    assert logged_out(other_client.get("/home"))
    actions = Session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["end_sessions", "end_all_sessions"]


@pytest.mark.parametrize(
    ("command", "args"),
    [
        (disable_user_command, ["nobody@example.org"]),
        (enable_user_command, ["nobody@example.org"]),
        (end_sessions_command, ["--email", "nobody@example.org"]),
        (end_sessions_command, []),
        (end_sessions_command, ["--all", "--email", "x@example.org"]),
    ],
)
def test_cli_refuses_unknown_accounts_and_unclear_options(app, db_session, command, args):
    result = invoke(app, command, *args)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
