"""Arbitrary input at every participant and login form: never a 500, never stored garbage (S9).

Hypothesis throws arbitrary Unicode, control characters, HTML, SQL and template fragments and
very long strings at adding and editing a contribution, at the staff login and its TOTP code
forms, at login links and at "send me a new link". Every answer is a 2xx/3xx or a 4xx; what
is stored is exactly the text as ``rounds.submissions.clean_text`` cleans it (NFC, no control
characters, trimmed), and a refused form stores nothing. Invalid UTF-8, oversized bodies and
multipart bombs get a 4xx.

CSRF and the role matrix are tested in ``tests/dialogue/core/test_access.py``; rate limits and
cookies in ``tests/dialogue/core/test_security.py``. Examples are derandomised so CI is
repeatable; set ``HYPOTHESIS_RANDOM=1`` for a fresh random search.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
import urllib.parse
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dialogue.auth.services.logins import issue_login_link
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Dialogue, Membership, Person, Role
from rounds.submissions import HARD_MAX_LENGTH, clean_text
from tests.conftest import csrf_from
from tests.factories import (
    STAFF_PASSWORD,
    make_contribution,
    make_dialogue,
    make_member,
    make_round,
)

FRAGMENTS = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(2)>',
        "javascript:alert(document.cookie)",
        "'; DROP TABLE contributions; --",
        "' OR '1'='1",
        "{{ config }}{% raw %}",
        "%s%n%x",
        "\x00",
        "\x1b[31m",
        "\x7f",
        "\x85",
        "\r\n",
        "\r",
        "\t",
        "\u2028",
        "\u202e",
        "\ufeff",
        "e\u0301",
        "A\u030a",
        "\ufffd",
        "🙂👩‍👩‍👧",
        "Ærø Å æøå",
        "\U0001d518\U0001d52b",
    ]
)
#: Any Unicode that can travel in UTF-8 (lone surrogates cannot be sent by any browser).
CHARACTERS = st.characters(exclude_categories=("Cs",))
TEXT = st.lists(st.one_of(st.text(CHARACTERS, max_size=60), FRAGMENTS), max_size=10).map("".join)
LONG_TEXT = st.builds(lambda piece, n: piece * n, TEXT.filter(bool), st.integers(50, 400))
ANY_TEXT = st.one_of(TEXT, TEXT, TEXT, LONG_TEXT)
NOT_STORED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=not os.environ.get("HYPOTHESIS_RANDOM"),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

DEFAULT_LIMITS = {"min_length": 3, "max_length": 500}


def log_in(client, membership):
    token = issue_login_link(membership, dt.timedelta(hours=1))
    csrf = csrf_from(client.get(f"/link/{token}"))
    assert client.post(f"/link/{token}", data={"csrf_token": csrf}).status_code == 302


@pytest.fixture
def participant(client):
    """A logged-in participant; call it for their (dialogue, membership), fresh from the session.

    Every request ends by removing the session, so objects from before it are detached.
    """
    dialogue = make_dialogue()
    membership = make_member(dialogue)
    ids = dialogue.id, membership.id
    log_in(client, membership)
    return lambda: (Session.get(Dialogue, ids[0]), Session.get(Membership, ids[1]))


def accepted(raw: str) -> bool:
    """Whether a challenges round with default limits takes ``raw`` as a contribution."""
    cleaned = clean_text(raw)
    return (
        len(raw) <= HARD_MAX_LENGTH
        and DEFAULT_LIMITS["min_length"] <= len(cleaned) <= DEFAULT_LIMITS["max_length"]
    )


def assert_clean(stored: str, raw: str):
    assert stored == clean_text(raw)
    assert not NOT_STORED.search(stored)
    assert stored == unicodedata.normalize("NFC", stored)
    assert stored == stored.strip()


def round_count(round_):
    return Session.scalar(
        select(func.count()).select_from(Contribution).where(Contribution.round_id == round_.id)
    )


@FUZZ
@given(body=ANY_TEXT, nonce=st.one_of(st.just(None), TEXT))
def test_adding_a_contribution_never_fails_or_stores_garbage(client, participant, body, nonce):
    dialogue, _ = participant()
    # A fresh round per example, so that the per-round limit never bites.
    round_ = make_round(dialogue, position=1)
    page = client.get(f"/d/{dialogue.slug}/rounds/{round_.id}/")
    # Nonces are unique per form; a nonce seen before returns the earlier contribution.
    data = {"csrf_token": csrf_from(page), "body": body, "nonce": f"{nonce}-{uuid.uuid4()}"}
    response = client.post(f"/d/{dialogue.slug}/rounds/{round_.id}/contributions", data=data)
    assert response.status_code == (303 if accepted(body) else 422)
    Session.expire_all()
    stored = Session.scalars(select(Contribution.body).where(Contribution.round_id == round_.id))
    stored = list(stored)
    if response.status_code == 303:
        assert len(stored) == 1
        assert_clean(stored[0], body)
    else:
        assert stored == []


@FUZZ
@given(body=ANY_TEXT)
def test_editing_a_contribution_never_fails_or_stores_garbage(client, participant, body):
    dialogue, membership = participant()
    round_ = make_round(dialogue, position=1)
    original = make_contribution(round_, membership, "Den oprindelige tekst")
    url = f"/d/{dialogue.slug}/contributions/{original.id}/edit"
    response = client.post(url, data={"csrf_token": csrf_from(client.get(url)), "body": body})
    assert response.status_code == (303 if accepted(body) else 422)
    Session.expire_all()
    stored = Session.get(Contribution, original.id).body
    if response.status_code == 303:
        assert_clean(stored, body)
    else:
        assert stored == "Den oprindelige tekst"
    assert round_count(round_) == 1


@settings(FUZZ, max_examples=40)  # an attempt with a valid address costs an argon2 hash
@given(email=ANY_TEXT, password=ANY_TEXT)
def test_staff_login_form_never_fails(client, email, password):
    csrf = csrf_from(client.get("/login"))
    response = client.post(
        "/login", data={"csrf_token": csrf, "email": email, "password": password}
    )
    assert response.status_code in (200, 422)


def half_logged_in(client, enrolled: bool) -> Person:
    """A consultant who gave their password but no TOTP code yet."""
    from tests.logins import password_step

    consultant = make_member(make_dialogue(), Role.CONSULTANT, enrolled=enrolled)
    assert password_step(client, consultant.person.email, STAFF_PASSWORD).status_code == 302
    return consultant.person


@pytest.fixture
def enrolled_half_logged_in(client):
    return half_logged_in(client, enrolled=True)


@pytest.fixture
def new_half_logged_in(client):
    return half_logged_in(client, enrolled=False)


@FUZZ
@given(code=ANY_TEXT)
def test_the_code_form_never_fails(client, enrolled_half_logged_in, code):
    csrf = csrf_from(client.get("/login/code"))
    response = client.post("/login/code", data={"csrf_token": csrf, "code": code})
    assert response.status_code == 422
    assert Session.get(Person, enrolled_half_logged_in.id).totp_last_counter is None


@FUZZ
@given(code=ANY_TEXT)
def test_the_enrolment_form_never_fails(client, new_half_logged_in, code):
    csrf = csrf_from(client.get("/login/code/setup"))
    response = client.post("/login/code/setup", data={"csrf_token": csrf, "code": code})
    assert response.status_code == 422
    assert Session.get(Person, new_half_logged_in.id).totp_secret is None


@FUZZ
@given(email=ANY_TEXT)
def test_request_link_form_never_fails(client, email):
    csrf = csrf_from(client.get("/login/link"))
    response = client.post("/login/link", data={"csrf_token": csrf, "email": email})
    assert response.status_code in (302, 422)


@FUZZ
@given(token=ANY_TEXT)
def test_any_login_link_token_is_refused_cleanly(client, token):
    path = "/link/" + urllib.parse.quote(token, safe="")
    page = client.get(path)
    assert page.status_code in (404, 410)
    csrf = csrf_from(client.get("/login"))
    assert client.post(path, data={"csrf_token": csrf}).status_code in (400, 404, 410)


def test_c1_control_characters_are_not_stored(client, participant):
    dialogue, _ = participant()
    round_ = make_round(dialogue, position=1)
    page = client.get(f"/d/{dialogue.slug}/rounds/{round_.id}/")
    data = {"csrf_token": csrf_from(page), "nonce": "c1", "body": "Linje\x85 med \x9bC1-tegn"}
    assert client.post(contribution_url(dialogue, round_), data=data).status_code == 303
    stored = Session.scalar(select(Contribution.body).where(Contribution.round_id == round_.id))
    assert not re.search(r"[\x80-\x9f]", stored)


# --- malformed bodies ------------------------------------------------------------------------


def contribution_url(dialogue, round_):
    return f"/d/{dialogue.slug}/rounds/{round_.id}/contributions"


def test_invalid_utf8_is_refused_and_stores_nothing(client, participant):
    dialogue, _ = participant()
    round_ = make_round(dialogue, position=1)
    csrf = csrf_from(client.get(f"/d/{dialogue.slug}/rounds/{round_.id}/"))
    raw = f"csrf_token={csrf}&nonce=n1&body=".encode() + b"Ugyldig \xff\xfe \xc3\x28 tekst"
    response = client.post(
        contribution_url(dialogue, round_),
        data=raw,
        content_type="application/x-www-form-urlencoded",
    )
    assert 400 <= response.status_code < 500
    assert round_count(round_) == 0


def test_percent_encoded_invalid_utf8_is_refused_and_stores_nothing(client, participant):
    dialogue, _ = participant()
    round_ = make_round(dialogue, position=1)
    csrf = csrf_from(client.get(f"/d/{dialogue.slug}/rounds/{round_.id}/"))
    raw = f"csrf_token={csrf}&nonce=n2&body=Ugyldig%20%FF%FE%C3%28%20tekst".encode()
    response = client.post(
        contribution_url(dialogue, round_),
        data=raw,
        content_type="application/x-www-form-urlencoded",
    )
    assert 400 <= response.status_code < 500
    assert round_count(round_) == 0


def test_a_body_over_the_size_limit_gets_413(client, participant):
    dialogue, _ = participant()
    round_ = make_round(dialogue, position=1)
    csrf = csrf_from(client.get(f"/d/{dialogue.slug}/rounds/{round_.id}/"))
    data = {"csrf_token": csrf, "nonce": "big", "body": "x" * (300 * 1024)}
    assert client.post(contribution_url(dialogue, round_), data=data).status_code == 413
    assert round_count(round_) == 0


def multipart(boundary: str, parts: list[tuple[str, str]]) -> bytes:
    chunks = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in parts
    ]
    return ("".join(chunks) + f"--{boundary}--\r\n").encode()


def test_a_multipart_bomb_of_many_parts_gets_413(client, participant):
    dialogue, _ = participant()
    round_ = make_round(dialogue, position=1)
    csrf = csrf_from(client.get(f"/d/{dialogue.slug}/rounds/{round_.id}/"))
    parts = [("csrf_token", csrf), ("nonce", "bomb"), ("body", "Et gyldigt bidrag")]
    parts += [(f"f{n}", "x") for n in range(3000)]  # small: far under MAX_CONTENT_LENGTH
    body = multipart("BOUNDARY", parts)
    assert len(body) < 256 * 1024
    response = client.post(
        contribution_url(dialogue, round_),
        data=body,
        content_type="multipart/form-data; boundary=BOUNDARY",
    )
    assert response.status_code == 413
    assert round_count(round_) == 0


def test_a_broken_multipart_body_gets_4xx(client, participant):
    dialogue, _ = participant()
    round_ = make_round(dialogue, position=1)
    for content_type, body in [
        ("multipart/form-data", b"no boundary given"),
        ("multipart/form-data; boundary=X", b"--X\r\nContent-Disposition: form-data\r\n"),
        ("multipart/form-data; boundary=X", b"--Y--\r\n" * 1000),
    ]:
        response = client.post(
            contribution_url(dialogue, round_), data=body, content_type=content_type
        )
        assert 400 <= response.status_code < 500, content_type
    assert round_count(round_) == 0
