"""A participant whose session ends while writing loses nothing (issue: bad input, expired session).

The POST from the ended session keeps the text in a signed cookie of the participant's own
browser; after logging in again with a new link, the round's form has it back.
"""

from __future__ import annotations

import html

from dialogue.core.db import Session
from dialogue.core.models import Membership
from dialogue.participate.views import unsaved
from tests.conftest import end_test_sessions
from tests.dialogue.participate.views.test_rounds import (
    count_contributions,
    form_fields,
    log_in_participant,
    round_url,
    setup_round,
    submit,
)
from tests.factories import make_member

TEXT = "Vi mangler tid til borgerne – og det går ud over kvaliteten & trivslen."


def end_sessions():
    """What an idle timeout or "end all sessions" does: the server forgets the login."""
    end_test_sessions()


def kept_cookie(client):
    return client.get_cookie(unsaved.COOKIE, path="/d/")


def expire_and_submit(client, dialogue, round_, body=TEXT):
    fields = form_fields(client.get(round_url(dialogue, round_)))
    end_sessions()
    return submit(client, dialogue, round_, body, fields)


def test_a_post_from_an_ended_session_keeps_the_text_and_stores_nothing(client):
    dialogue, participant, round_ = setup_round(client)
    response = expire_and_submit(client, dialogue, round_)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/login/link")
    assert count_contributions(round_) == 0
    cookie = response.headers.getlist("Set-Cookie")
    kept = next(c for c in cookie if c.startswith(unsaved.COOKIE + "="))
    assert "HttpOnly" in kept
    assert f"Path=/d/{dialogue.slug}/" in kept
    assert TEXT not in kept  # compressed and signed, not a readable copy in every request log
    notice = client.get("/login/link").get_data(as_text=True)
    assert "login/link" in response.headers["Location"]
    assert "session" in notice.lower()


def test_after_a_new_login_the_form_has_the_text_back_once(client):
    dialogue, participant, round_ = setup_round(client)
    expire_and_submit(client, dialogue, round_)
    log_in_participant(client, Session.get(Membership, participant.id))
    home = client.get(f"/d/{dialogue.slug}/").get_data(as_text=True)
    assert round_url(dialogue, round_) in home  # "your unsaved input is waiting"
    page = client.get(round_url(dialogue, round_))
    assert html.escape(TEXT, quote=False) in page.get_data(as_text=True)
    assert kept_cookie(client) is None  # given back once, then forgotten
    again = client.get(round_url(dialogue, round_)).get_data(as_text=True)
    assert html.escape(TEXT, quote=False) not in again
    assert submit(client, dialogue, round_, TEXT, form_fields(page)).status_code == 303
    assert count_contributions(round_) == 1


def test_nobody_else_on_the_same_browser_gets_the_text(client):
    dialogue, participant, round_ = setup_round(client)
    expire_and_submit(client, dialogue, round_)
    other = make_member(dialogue)
    log_in_participant(client, other)
    page = client.get(round_url(dialogue, round_)).get_data(as_text=True)
    assert html.escape(TEXT, quote=False) not in page


def test_a_forged_cookie_is_ignored(client):
    dialogue, participant, round_ = setup_round(client)
    client.set_cookie(unsaved.COOKIE, "eyJmIjpbXX0.forged.signature", path=f"/d/{dialogue.slug}/")
    assert client.get(round_url(dialogue, round_)).status_code == 200


def test_a_long_text_is_shortened_to_fit_a_cookie(app_context):
    words = " ".join(f"ord{n}" for n in range(3000))  # 20,000 characters, poorly compressible
    value, shortened = unsaved.pack(
        [("body", words), ("nonce", "abc"), ("csrf_token", "t")],
        slug="d",
        round_id=1,
        person_id="7",
    )
    assert shortened
    assert len(value) <= unsaved.MAX_COOKIE_BYTES
    kept = dict(unsaved.unpack(value, slug="d", round_id=1, person_id="7"))
    assert words.startswith(kept["body"])
    assert "csrf_token" not in kept
    assert unsaved.unpack(value, slug="d", round_id=2, person_id="7") is None
    assert unsaved.unpack(value, slug="d", round_id=1, person_id="8") is None


def test_an_empty_form_keeps_nothing(app_context):
    assert unsaved.pack([("body", "  "), ("nonce", "n")], slug="d", round_id=1, person_id=1) is None
