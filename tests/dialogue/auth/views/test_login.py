"""Logging in with a password or a link, and out again."""

import datetime as dt
import re

import time_machine

from dialogue.auth.services.logins import issue_login_link, token_hash
from dialogue.core.db import Session
from dialogue.core.models import Membership, Role
from tests.conftest import csrf_from
from tests.factories import STAFF_PASSWORD, make_dialogue, make_member
from tests.logins import staff_login


def test_staff_password_is_hashed_with_argon2id(db_session):
    consultant = make_member(make_dialogue(), Role.CONSULTANT)
    assert re.match(r"^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$", consultant.person.password_hash)


def test_staff_log_in_with_email_and_password(client):
    consultant = make_member(make_dialogue(), Role.CONSULTANT)
    response = staff_login(client, consultant.person.email.upper(), STAFF_PASSWORD)
    assert response.status_code == 302
    assert client.get("/home").status_code in (200, 302)


def test_wrong_password_is_refused_with_a_message(client):
    consultant = make_member(make_dialogue(), Role.CONSULTANT)
    response = staff_login(client, consultant.person.email, "wrong password")
    assert response.status_code == 422
    assert "adgangskoden er forkert" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client):
    response = staff_login(client, "nobody@example.org", "wrong password")
    assert response.status_code == 422
    assert "adgangskoden er forkert" in response.get_data(as_text=True)


def test_opening_a_link_does_not_use_it_up(client):
    participant = make_member(make_dialogue())
    token = issue_login_link(participant, dt.timedelta(days=1))

    first = client.get(f"/link/{token}")
    second = client.get(f"/link/{token}")

    assert first.status_code == second.status_code == 200
    assert participant.token_hash == token_hash(token)
    assert first.headers["Referrer-Policy"] == "no-referrer"


def test_the_button_behind_a_link_logs_in_once(client):
    participant = make_member(make_dialogue())
    token = issue_login_link(participant, dt.timedelta(days=1))
    csrf = csrf_from(client.get(f"/link/{token}"))

    response = client.post(f"/link/{token}", data={"csrf_token": csrf})

    assert response.status_code == 302
    assert token not in response.headers["Location"]
    assert client.get(response.headers["Location"]).status_code == 200
    again = client.get(f"/link/{token}")
    assert again.status_code == 410
    assert "ikke gyldigt" in again.get_data(as_text=True)


def test_a_new_link_replaces_the_old_one(client):
    participant = make_member(make_dialogue())
    old = issue_login_link(participant, dt.timedelta(days=1))
    issue_login_link(participant, dt.timedelta(days=1))
    assert client.get(f"/link/{old}").status_code == 410


def test_an_expired_link_is_refused(client):
    participant = make_member(make_dialogue())
    token = issue_login_link(participant, dt.timedelta(minutes=15))
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
        response = client.get(f"/link/{token}")
    assert response.status_code == 410
    assert "udløbet" in response.get_data(as_text=True)


def test_the_database_keeps_only_a_hash_of_the_token(db_session):
    participant = make_member(make_dialogue())
    token = issue_login_link(participant, dt.timedelta(days=1))
    stored = Session.get(Membership, participant.id)
    assert token not in (stored.token_hash or "")
    assert len(token) >= 22  # at least 128 bits in URL-safe base64


def test_logout_needs_a_post_with_csrf_and_ends_the_session(client):
    consultant = make_member(make_dialogue(), Role.CONSULTANT)
    staff_login(client, consultant.person.email, STAFF_PASSWORD)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400

    token = csrf_from(client.get("/home", follow_redirects=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/home").status_code == 302
