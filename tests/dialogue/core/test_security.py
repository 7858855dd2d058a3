"""Rate limits and cookie flags (TARGETS S4, S8)."""

import datetime as dt

from dialogue.auth.services.logins import issue_login_link
from dialogue.core import migrate
from dialogue.core.db import Session
from tests.conftest import csrf_from
from tests.dialogue.participate.views.test_rounds import form_fields, round_url
from tests.factories import make_dialogue, make_member, make_round


def test_login_is_rate_limited_per_address(app, app_factory, database_url):
    limited = app_factory(database_url, RATELIMIT_ENABLED=True)
    client = limited.test_client()
    token = csrf_from(client.get("/login"))
    data = {"csrf_token": token, "email": "someone@example.org", "password": "wrong"}
    statuses = [client.post("/login", data=data).status_code for _ in range(6)]
    assert statuses[:5] == [422] * 5
    assert statuses[5] == 429
    assert "Vent et minut" in client.post("/login", data=data).get_data(as_text=True)


def test_login_limit_per_address_does_not_block_other_addresses(app, app_factory, database_url):
    limited = app_factory(database_url, RATELIMIT_ENABLED=True)
    client = limited.test_client()
    token = csrf_from(client.get("/login"))
    for number in range(6):
        data = {"csrf_token": token, "email": f"user{number}@example.org", "password": "x"}
        assert client.post("/login", data=data).status_code == 422


def test_session_cookie_is_hardened_behind_https(app_factory, database_url):
    app = app_factory(database_url, PUBLIC_URL="https://dialog.example.dk")
    client = app.test_client()
    response = client.get("/", base_url="https://dialog.example.dk")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    assert "Domain" not in cookie


def test_submissions_are_rate_limited_per_session(app_factory, fresh_database_url):
    # A database of its own, committed for real: the limited app's requests must see the data.
    limited = app_factory(fresh_database_url, RATELIMIT_ENABLED=True)
    migrate.upgrade(limited)
    client = limited.test_client()
    dialogue = make_dialogue()
    participant = make_member(dialogue)
    round_ = make_round(dialogue, settings={"max_contributions": 100})
    token = issue_login_link(participant, dt.timedelta(hours=1))
    Session.commit()
    csrf = csrf_from(client.get(f"/link/{token}"))
    assert client.post(f"/link/{token}", data={"csrf_token": csrf}).status_code == 302
    fields = form_fields(client.get(round_url(dialogue, round_)))
    url = f"/d/{dialogue.slug}/rounds/{round_.id}/contributions"
    statuses = [
        client.post(url, data={**fields, "nonce": f"n{i}", "body": f"Tekst {i}"}).status_code
        for i in range(31)
    ]
    assert statuses[:30] == [303] * 30
    assert statuses[30] == 429


def test_logs_carry_no_participant_identity_or_text(client, caplog):
    import logging

    from tests.dialogue.participate.views.test_rounds import setup_round, submit

    caplog.set_level(logging.DEBUG)
    dialogue, participant, round_ = setup_round(client)
    submit(client, dialogue, round_, "Kanariefugl-tekst 4711")
    client.get(f"/d/{dialogue.slug}/my-input")
    client.get(f"/d/{dialogue.slug}/contributions/00000000-0000-0000-0000-000000000000/edit")
    logged = caplog.text
    for canary in (participant.person.email, participant.person.name, "Kanariefugl-tekst 4711"):
        assert canary not in logged
