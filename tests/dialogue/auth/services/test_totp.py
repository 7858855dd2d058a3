"""Every staff login needs a TOTP code as well (TARGETS S7); pyotp plays the authenticator app.

After the password or link, a staff session is half-authenticated: every page behind a login
answers 403 until the code is given. The first login enrols the app; later ones ask for a code.
"""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from dialogue.auth.services.logins import issue_login_link
from dialogue.auth.services.totp import grouped, matching_step
from dialogue.core import migrate
from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Membership, Person, Role
from tests.conftest import csrf_from, session_records
from tests.dialogue.core.test_access import (
    GET_POLICY,
    LOGIN,
    POST_POLICY,
    outcome,
    url_for_rule,
    world,  # noqa: F401 - the fixture with a member in every role
)
from tests.factories import STAFF_PASSWORD, make_dialogue, make_member
from tests.logins import code_step, password_step

STAFF_ROLES = ("consultant", "management", "admin")
#: The pages a half-logged-in staff member still needs: the code pages and logging out.
SECOND_FACTOR_PAGES = {"auth.second_factor", "auth.enrol_second_factor", "auth.logout"}
SECRET_PATTERN = re.compile(r'class="totp-secret">([A-Z2-7 ]+)<')


def person(email: str) -> Person:
    return Session.scalar(select(Person).where(Person.email == email))


def sessions(email: str) -> list[tuple[str, dict]]:
    return session_records(person(email).id)


def at_step(secret: str, offset: int) -> str:
    """The code of the time step ``offset`` steps away from now."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(dt.datetime.now(dt.UTC)) + offset)


@pytest.fixture
def consultant(db_session):
    return make_member(make_dialogue(), Role.CONSULTANT)


@pytest.fixture
def newcomer(db_session):
    """A consultant who has never set up an authenticator app."""
    return make_member(make_dialogue(), Role.CONSULTANT, enrolled=False)


def test_the_password_alone_leaves_staff_half_logged_in(client, consultant):
    email = consultant.person.email
    response = password_step(client, email, STAFF_PASSWORD)
    assert response.headers["Location"].endswith("/login/code")
    home = client.get("/home")
    assert home.status_code == 403
    assert "/login/code" in home.get_data(as_text=True)  # the 403 page leads on to the code
    assert client.get(f"/d/{consultant.dialogue.slug}/").status_code == 403
    assert [record["pending"] for _, record in sessions(email)] == [True]


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_staff_route_answers_403_before_the_second_factor(app, client, world, role):  # noqa: F811
    membership = world.members[role]
    assert password_step(client, membership.person.email, STAFF_PASSWORD).status_code == 302
    csrf = csrf_from(client.get("/login/code"))
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SECOND_FACTOR_PAGES:
            continue
        url = url_for_rule(app, rule, world.values)
        if rule.endpoint in GET_POLICY:
            expected = GET_POLICY[rule.endpoint]["anonymous"]
            got = outcome(client.get(url))
        elif rule.endpoint in POST_POLICY:
            expected = POST_POLICY[rule.endpoint]["anonymous"]
            got = outcome(client.post(url, data={"csrf_token": csrf, "language": "da"}))
        else:
            continue
        # What needs a login is refused outright; what anyone may see stays as it is.
        assert got == (403 if expected == LOGIN else expected), (rule.endpoint, got)


def test_the_code_completes_the_login_and_rotates_the_session(client, consultant):
    email = consultant.person.email
    password_step(client, email, STAFF_PASSWORD)
    half = sessions(email)[0][0]

    response = code_step(client, email)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/home")
    assert client.get("/home").status_code in (200, 302)
    [(key, record)] = sessions(email)
    assert key != half
    assert not record["pending"]
    assert Session.scalar(select(AuditEvent).where(AuditEvent.action == "login")) is not None


def test_a_staff_member_who_comes_by_link_needs_the_code_too(client, consultant):
    membership = Session.get(Membership, consultant.id)
    token = issue_login_link(membership, dt.timedelta(hours=1))
    csrf = csrf_from(client.get(f"/link/{token}"))
    response = client.post(f"/link/{token}", data={"csrf_token": csrf})
    assert response.headers["Location"].endswith("/login/code")
    assert client.get(f"/d/{consultant.dialogue.slug}/").status_code == 403

    response = code_step(client, consultant.person.email)
    assert response.headers["Location"].endswith(f"/d/{consultant.dialogue.slug}/")


def test_a_participant_needs_no_second_factor(client):
    participant = make_member(make_dialogue())
    token = issue_login_link(participant, dt.timedelta(hours=1))
    csrf = csrf_from(client.get(f"/link/{token}"))
    response = client.post(f"/link/{token}", data={"csrf_token": csrf})
    assert "/login/code" not in response.headers["Location"]
    assert client.get(response.headers["Location"]).status_code == 200
    assert client.get("/login/code").headers["Location"].endswith("/home")


def test_a_wrong_code_is_refused_with_a_message_and_changes_nothing(client, consultant):
    email = consultant.person.email
    password_step(client, email, STAFF_PASSWORD)
    right = at_step(consultant.person.totp_secret, 0)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = code_step(client, email, wrong)

    assert response.status_code == 422
    assert "Koden er forkert" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 403
    assert person(email).totp_last_counter is None


def test_a_code_is_accepted_only_once(client, other_client, consultant):
    email = consultant.person.email
    code = at_step(consultant.person.totp_secret, 0)
    password_step(client, email, STAFF_PASSWORD)
    assert code_step(client, email, code).status_code == 302

    password_step(other_client, email, STAFF_PASSWORD)
    response = code_step(other_client, email, code)

    assert response.status_code == 422
    assert other_client.get("/home").status_code == 403


@pytest.mark.parametrize(("offset", "accepted"), [(-2, False), (-1, True), (1, True), (2, False)])
def test_one_step_of_clock_drift_is_allowed(client, consultant, offset, accepted):
    email = consultant.person.email
    password_step(client, email, STAFF_PASSWORD)
    response = code_step(client, email, at_step(consultant.person.totp_secret, offset))
    assert (response.status_code == 302) is accepted


def test_a_code_older_than_the_last_accepted_one_is_refused(app_context):
    secret = pyotp.random_base32()
    now = dt.datetime.now(dt.UTC)
    step = pyotp.TOTP(secret).timecode(now)
    later = pyotp.TOTP(secret).generate_otp(step + 1)
    earlier = pyotp.TOTP(secret).generate_otp(step - 1)
    assert matching_step(secret, later, None, now) == step + 1
    assert matching_step(secret, earlier, step + 1, now) is None
    assert matching_step(secret, f" {later[:3]} {later[3:]} ", step, now) == step + 1


def test_first_login_enrols_an_app_with_the_key_as_text_and_qr_code(client, newcomer):
    email = newcomer.person.email
    response = password_step(client, email, STAFF_PASSWORD)
    assert response.headers["Location"].endswith("/login/code")
    response = client.get("/login/code")
    assert response.headers["Location"].endswith("/login/code/setup")

    page = client.get("/login/code/setup")
    html = page.get_data(as_text=True)
    shown = SECRET_PATTERN.search(html).group(1)
    secret = shown.replace(" ", "")
    assert shown == grouped(secret)
    assert re.fullmatch(r"(?:[A-Z2-7]{4} ){7}[A-Z2-7]{4}", shown)
    assert 'src="data:image/svg+xml' in html  # the QR code, drawn on the server
    assert "<script" not in html.split("<main", 1)[1]
    assert person(email).totp_secret is None  # showing the page stores nothing

    csrf = csrf_from(page)
    response = client.post(
        "/login/code/setup", data={"csrf_token": csrf, "code": pyotp.TOTP(secret).now()}
    )

    assert response.status_code == 302
    assert person(email).totp_secret == secret
    assert client.get("/home").status_code in (200, 302)
    actions = Session.scalars(select(AuditEvent.action)).all()
    assert "mfa_enrolled" in actions
    assert "login" in actions


def test_enrolment_refuses_a_wrong_code_and_keeps_the_same_key(client, newcomer):
    password_step(client, newcomer.person.email, STAFF_PASSWORD)
    page = client.get("/login/code/setup")
    shown = SECRET_PATTERN.search(page.get_data(as_text=True)).group(1)
    response = client.post(
        "/login/code/setup", data={"csrf_token": csrf_from(page), "code": "000000x"}
    )
    assert response.status_code == 422
    assert "Koden er forkert" in response.get_data(as_text=True)
    assert SECRET_PATTERN.search(response.get_data(as_text=True)).group(1) == shown
    assert person(newcomer.person.email).totp_secret is None
    assert client.get("/home").status_code == 403


def test_the_enrolment_page_is_not_for_the_enrolled(client, consultant):
    password_step(client, consultant.person.email, STAFF_PASSWORD)
    assert client.get("/login/code/setup").headers["Location"].endswith("/login/code")


def test_the_code_form_is_rate_limited_per_person(app_factory, fresh_database_url):
    # A database of its own, committed for real: the limited app's requests must see the data.
    limited = app_factory(fresh_database_url, RATELIMIT_ENABLED=True)
    migrate.upgrade(limited)
    client = limited.test_client()
    consultant = make_member(make_dialogue(), Role.CONSULTANT)
    Session.commit()
    password_step(client, consultant.person.email, STAFF_PASSWORD)
    csrf = csrf_from(client.get("/login/code"))
    statuses = [
        client.post("/login/code", data={"csrf_token": csrf, "code": "12345"}).status_code
        for _ in range(6)
    ]
    assert statuses == [422] * 5 + [429]


def test_codes_follow_the_servers_clock(client, consultant):
    """With the clock moved on, the code of that moment is accepted and today's is not."""
    email, secret = consultant.person.email, consultant.person.totp_secret
    code_now = at_step(secret, 0)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        password_step(client, email, STAFF_PASSWORD)
        assert code_step(client, email, code_now).status_code == 422
        assert code_step(client, email, pyotp.TOTP(secret).at(later)).status_code == 302
