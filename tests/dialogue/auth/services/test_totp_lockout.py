"""Wrong second-factor codes lock the code step until an administrator unlocks it (S7, #16)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dialogue.accounts.cli import reset_mfa_command
from dialogue.auth.services.totp import MAX_FAILURES
from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Person, Role
from tests.conftest import csrf_from
from tests.dialogue.auth.services.test_totp import at_step
from tests.factories import STAFF_PASSWORD, make_dialogue, make_member
from tests.logins import password_step, staff_login

LOCKED = "totrinslogin for din konto er låst"


@pytest.fixture
def team(db_session):
    dialogue = make_dialogue()
    return {
        "admin": make_member(dialogue, Role.ADMIN),
        "consultant": make_member(dialogue, Role.CONSULTANT),
        "participant": make_member(dialogue),
    }


@pytest.fixture
def consultant(team):
    return team["consultant"]


def wrong_code(membership) -> str:
    right = at_step(membership.person.totp_secret, 0)
    return f"{(int(right) + 500_000) % 1_000_000:06d}"


def post_codes(client, membership, codes):
    """Log in with the password, then post each code; the responses."""
    password_step(client, membership.person.email, STAFF_PASSWORD)
    csrf = csrf_from(client.get("/login/code"))
    return [client.post("/login/code", data={"csrf_token": csrf, "code": c}) for c in codes]


def events(action):
    return Session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_five_wrong_codes_lock_even_the_right_code_out(client, consultant):
    right = at_step(consultant.person.totp_secret, 0)
    responses = post_codes(client, consultant, [wrong_code(consultant)] * MAX_FAILURES + [right])

    assert [r.status_code for r in responses[: MAX_FAILURES - 1]] == [422] * (MAX_FAILURES - 1)
    for response in responses[MAX_FAILURES - 1 :]:
        assert response.status_code == 403
        assert LOCKED in response.get_data(as_text=True)
    assert client.get("/home").status_code == 403  # still only half logged in
    assert client.get("/login/code").status_code == 403
    assert Session.get(Person, consultant.person_id).totp_failures == MAX_FAILURES
    (locked,) = events("mfa_locked")
    assert locked.subject == f"person:{consultant.person_id}"


def test_a_right_code_before_the_limit_starts_the_count_again(client, consultant):
    codes = [wrong_code(consultant)] * (MAX_FAILURES - 1)
    codes.append(at_step(consultant.person.totp_secret, 0))
    responses = post_codes(client, consultant, codes)
    assert responses[-1].status_code == 302
    assert Session.get(Person, consultant.person_id).totp_failures == 0
    assert events("mfa_locked") == []


def test_an_admin_unlocks_and_the_app_works_again(client, other_client, team, consultant):
    post_codes(client, consultant, [wrong_code(consultant)] * MAX_FAILURES)
    staff_login(other_client, team["admin"].person.email, STAFF_PASSWORD)
    accounts = f"/d/{team['admin'].dialogue.slug}/admin/accounts"
    page = other_client.get(accounts)
    assert "låst efter for mange forkerte koder" in page.get_data(as_text=True)

    response = other_client.post(
        f"{accounts}/{consultant.id}/unlock-mfa", data={"csrf_token": csrf_from(page)}
    )

    assert response.status_code == 302
    assert Session.get(Person, consultant.person_id).totp_failures == 0
    (unlocked,) = events("unlock_mfa")
    assert unlocked.actor_id == team["admin"].person_id
    csrf = csrf_from(client.get("/login/code"))
    code = at_step(consultant.person.totp_secret, 0)
    assert client.post("/login/code", data={"csrf_token": csrf, "code": code}).status_code == 302
    assert client.get("/home").status_code in (200, 302)


def test_a_participant_has_no_code_to_unlock(other_client, team):
    staff_login(other_client, team["admin"].person.email, STAFF_PASSWORD)
    accounts = f"/d/{team['admin'].dialogue.slug}/admin/accounts"
    csrf = csrf_from(other_client.get(accounts))
    url = f"{accounts}/{team['participant'].id}/unlock-mfa"
    assert other_client.post(url, data={"csrf_token": csrf}).status_code == 409


def test_the_command_line_unlocks_without_resetting_the_app(app, client, consultant):
    post_codes(client, consultant, [wrong_code(consultant)] * MAX_FAILURES)
    secret = consultant.person.totp_secret
    Session.commit()

    result = app.test_cli_runner().invoke(reset_mfa_command, ["--unlock", consultant.person.email])

    assert result.exit_code == 0, result.output
    assert "unlocked" in result.output
    Session.expire_all()
    person = Session.get(Person, consultant.person_id)
    assert person.totp_failures == 0
    assert person.totp_secret == secret


def test_a_code_of_the_wrong_length_is_a_typo_not_a_guess(client, consultant):
    responses = post_codes(client, consultant, ["12345"] * (MAX_FAILURES + 1))
    assert {r.status_code for r in responses} == {422}
    assert Session.get(Person, consultant.person_id).totp_failures == 0
