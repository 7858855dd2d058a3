"""Rate-limit keys in the shared storage name nobody (TARGETS S8, issue #16).

Against the real Redis on 127.0.0.1:6379, under a key prefix of this test's own: after a
failed login, a request for a new link, a login by link and a submission, the stored keys hold
no e-mail address, link token, session id or client address, and every one expires within the
one-minute window.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import redis as redis_client

from dialogue.auth.services.logins import issue_login_link
from dialogue.core import migrate
from dialogue.core.db import Session
from dialogue.core.extensions import limiter
from tests.conftest import csrf_from, require
from tests.dialogue.participate.views.test_rounds import form_fields, round_url
from tests.factories import make_dialogue, make_member, make_round
from tests.reliability.helpers import redis_available

REDIS_URI = "redis://127.0.0.1:6379/13"


@pytest.fixture
def prefix():
    """A key prefix of this test's own; its keys are deleted and the limiter's prefix restored."""
    require(redis_available(), "Redis on 127.0.0.1:6379", "`make services` starts it")
    name = f"wt-d-keys-{uuid.uuid4().hex[:12]}"
    yield name
    limiter._key_prefix = ""  # the limiter is one object for all apps; later apps set their own
    store = redis_client.Redis.from_url(REDIS_URI)
    for key in store.scan_iter(f"*{name}*"):
        store.delete(key)
    store.close()


def session_id(app, client) -> str:
    """The login session's id, as the signed session cookie carries it."""
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(cookie.value)["sid"]


def test_stored_keys_hold_no_address_token_or_session_id(app_factory, fresh_database_url, prefix):
    limited = app_factory(
        fresh_database_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=REDIS_URI,
        RATELIMIT_KEY_PREFIX=prefix,
    )
    migrate.upgrade(limited)
    dialogue = make_dialogue()
    participant = make_member(dialogue)
    round_ = make_round(dialogue)
    email = participant.person.email
    token = issue_login_link(participant, dt.timedelta(hours=1))
    Session.commit()
    client = limited.test_client()

    csrf = csrf_from(client.get("/login"))
    login = {"csrf_token": csrf, "email": email, "password": "not the password"}
    assert client.post("/login", data=login).status_code == 422
    csrf = csrf_from(client.get(f"/link/{token}"))
    assert client.post(f"/link/{token}", data={"csrf_token": csrf}).status_code == 302
    sid = session_id(limited, client)
    fields = form_fields(client.get(round_url(dialogue, round_)))
    submission = {**fields, "body": "En tekst"}
    url = f"/d/{dialogue.slug}/rounds/{round_.id}/contributions"
    assert client.post(url, data=submission).status_code == 303
    new_link = {"csrf_token": fields["csrf_token"], "email": email}
    assert client.post("/login/link", data=new_link).status_code == 302

    store = redis_client.Redis.from_url(REDIS_URI, decode_responses=True)
    keys = list(store.scan_iter(f"*{prefix}*"))
    assert len(keys) >= 7  # per address and per e-mail, token or session on four forms
    for key in keys:
        for secret in (email, email.split("@")[0], token, token[:16], sid, sid[:16], "127.0.0.1"):
            assert secret not in key
        assert 0 < store.ttl(key) <= 60
    store.close()
