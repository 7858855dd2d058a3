"""The privacy notice (login page, own page, links) and the admin's notice and retention form."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from dialogue.auth.services import issue_login_link
from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Dialogue, Membership, Role
from tests.conftest import csrf_from
from tests.dialogue.test_admin import log_in_admin
from tests.dialogue.test_auth import staff_login
from tests.dialogue.test_participation import log_in_participant
from tests.factories import STAFF_PASSWORD, make_dialogue, make_member, make_round


def test_the_login_page_shows_the_notice_and_a_way_to_leave(client):
    dialogue = make_dialogue(language="en", data_controller="Example Municipality")
    member = make_member(dialogue)
    token = issue_login_link(member, dt.timedelta(hours=1))
    page = client.get(f"/link/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Before you go on: how your data is handled" in page
    assert "Data controller: Example Municipality is responsible" in page
    assert "365 days after the last round closes" in page
    assert "Leave without logging in" in page


def test_the_notice_is_in_danish_with_the_admins_own_text_escaped(client):
    dialogue = make_dialogue(
        is_public=True,
        data_controller="Eksempel Kommune",
        notice_en="Our own words.\n\n<script>alert(1)</script>",
    )
    make_round(dialogue)
    danish = client.get(f"/d/{dialogue.slug}/privacy", headers={"Accept-Language": "da"})
    assert danish.status_code == 200
    text = danish.get_data(as_text=True)
    assert "Dataansvarlig: Eksempel Kommune" in text
    assert "365 dage efter at sidste runde lukker" in text
    with client.session_transaction() as session:
        session["language"] = "en"  # what the language switch stores
    english = client.get(f"/d/{dialogue.slug}/privacy")
    english_text = english.get_data(as_text=True)
    assert "<p>Our own words.</p>" in english_text
    assert "<script>alert(1)</script>" not in english_text
    assert "&lt;script&gt;" in english_text


def test_a_private_dialogues_notice_is_for_its_members_only(client):
    dialogue = make_dialogue(language="en")
    make_round(dialogue)
    member = make_member(dialogue)
    for slug in (dialogue.slug, "no-such-dialogue"):  # the same answer: log in
        response = client.get(f"/d/{slug}/privacy")
        assert response.status_code == 302
        assert "/login" in response.location
    log_in_participant(client, Session.get(Membership, member.id))
    assert client.get(f"/d/{dialogue.slug}/privacy").status_code == 200
    assert client.get(f"/d/{make_dialogue().slug}/privacy").status_code == 404


def test_the_public_page_and_the_participants_pages_link_to_the_notice(client):
    dialogue = make_dialogue(is_public=True, language="en")
    make_round(dialogue)
    member = make_member(dialogue)
    notice = f'href="/d/{dialogue.slug}/privacy"'
    assert notice in client.get(f"/p/{dialogue.slug}/").get_data(as_text=True)
    log_in_participant(client, Session.get(Membership, member.id))
    assert notice in client.get(f"/d/{dialogue.slug}/").get_data(as_text=True)
    assert notice in client.get(f"/d/{dialogue.slug}/my-input").get_data(as_text=True)


def settings_url(dialogue) -> str:
    return f"/d/{dialogue.slug}/manage/privacy"


def test_the_admin_sets_controller_retention_and_notice(client):
    dialogue, _admin = log_in_admin(client)
    page = client.get(settings_url(dialogue))
    assert page.status_code == 200
    assert "Dataansvarlig" in page.get_data(as_text=True)  # the standard text in both languages
    response = client.post(
        settings_url(dialogue),
        data={
            "csrf_token": csrf_from(page),
            "data_controller": "Example Municipality",
            "retention_days": "90",
            "notice_da": "Vores egen tekst.",
            "notice_en": "",
        },
    )
    assert response.status_code == 303
    stored = Session.get(Dialogue, dialogue.id)
    Session.refresh(stored)
    assert (stored.data_controller, stored.retention_days, stored.keep_results) == (
        "Example Municipality",
        90,
        False,
    )
    assert stored.notice_da == "Vores egen tekst."
    assert Session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "privacy.settings")
    )


def test_a_bad_retention_period_is_refused_and_changes_nothing(client):
    dialogue, _admin = log_in_admin(client)
    csrf = csrf_from(client.get(settings_url(dialogue)))
    for days in ("0", "99999", "soon"):
        response = client.post(
            settings_url(dialogue),
            data={"csrf_token": csrf, "retention_days": days, "data_controller": "X"},
            headers={"Accept-Language": "en"},
        )
        assert response.status_code == 422
        assert "Please check your input" in response.get_data(as_text=True)
    stored = Session.get(Dialogue, dialogue.id)
    Session.refresh(stored)
    assert (stored.retention_days, stored.data_controller) == (365, "")
    missing_token = client.post(settings_url(dialogue), data={"retention_days": "30"})
    assert missing_token.status_code == 400


def test_only_the_admin_reaches_the_settings(client):
    dialogue = make_dialogue(language="en")
    make_round(dialogue)
    member = make_member(dialogue)
    log_in_participant(client, member)
    assert client.get(settings_url(dialogue)).status_code == 403
    other = make_dialogue()
    assert client.get(settings_url(other)).status_code == 404


def test_a_consultant_gets_no_settings(client):
    dialogue = make_dialogue(language="en")
    consultant = make_member(dialogue, Role.CONSULTANT)
    assert staff_login(client, consultant.person.email, STAFF_PASSWORD).status_code == 302
    assert client.get(settings_url(dialogue)).status_code == 403
