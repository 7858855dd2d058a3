"""Sessions end when they should: at logout, after idling, at the absolute limit (S4, S5)."""

import datetime as dt

import time_machine
from sqlalchemy import func, select

from dialogue.auth.services.logins import issue_login_link
from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Role
from dialogue.core.sessions import end_all_sessions
from tests.conftest import csrf_from, in_app, live_sessions, session_records
from tests.factories import STAFF_PASSWORD, make_dialogue, make_member
from tests.logins import staff_login


def session_cookie(client):
    return client.get_cookie("session").value


def log_in_staff(client):
    consultant = make_member(make_dialogue(), Role.CONSULTANT)
    staff_login(client, consultant.person.email, STAFF_PASSWORD)
    return consultant


def test_a_cookie_replayed_after_logout_is_refused(client):
    log_in_staff(client)
    stolen = session_cookie(client)
    token = csrf_from(client.get("/home", follow_redirects=True))
    client.post("/logout", data={"csrf_token": token})

    client.set_cookie("session", stolen)
    assert client.get("/home").status_code == 302


def test_the_session_token_changes_at_every_login(client):
    consultant = log_in_staff(client)
    first = {key for key, _ in session_records(consultant.person_id)}
    staff_login(client, consultant.person.email, STAFF_PASSWORD)
    second = {key for key, _ in session_records(consultant.person_id)}
    assert second - first


def test_staff_sessions_end_after_fifteen_idle_minutes(client):
    log_in_staff(client)
    now = dt.datetime.now(dt.UTC)
    with time_machine.travel(now + dt.timedelta(minutes=14)):
        assert client.get("/home").status_code in (200, 302)
        assert "/login" not in client.get("/home").headers.get("Location", "")
    with time_machine.travel(now + dt.timedelta(minutes=14 + 16)):
        assert "/login" in client.get("/home").headers["Location"]


def test_staff_sessions_end_after_eight_hours_however_active(client):
    log_in_staff(client)
    start = dt.datetime.now(dt.UTC)
    for minutes in range(10, 8 * 60, 10):
        with time_machine.travel(start + dt.timedelta(minutes=minutes)):
            client.get("/home")
    with time_machine.travel(start + dt.timedelta(hours=8)):
        assert "/login" in client.get("/home").headers["Location"]


def test_ending_all_sessions_logs_everyone_out(client):
    log_in_staff(client)
    assert live_sessions() >= 1
    in_app(end_all_sessions)
    assert "/login" in client.get("/home").headers["Location"]


def test_staff_logins_are_audited_and_participant_logins_are_not(client):
    participant = make_member(make_dialogue())
    token = issue_login_link(participant, dt.timedelta(hours=1))
    csrf = csrf_from(client.get(f"/link/{token}"))
    assert client.post(f"/link/{token}", data={"csrf_token": csrf}).status_code == 302
    assert Session.scalar(select(func.count()).select_from(AuditEvent)) == 0

    consultant = log_in_staff(client)
    events = Session.scalars(select(AuditEvent).where(AuditEvent.action == "login")).all()
    assert [event.actor_id for event in events] == [consultant.person_id]
    assert events[0].occurred_at.tzinfo is not None
