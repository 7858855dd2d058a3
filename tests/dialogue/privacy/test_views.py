"""The privacy notice (login page, own page, links) and the admin's notice and retention form."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from dialogue.auth.services import oidc
from dialogue.auth.services.logins import issue_login_link
from dialogue.auth.views.provider import SIGN_IN_FOR
from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Contribution, Dialogue, Membership, Role
from dialogue.privacy.queries import row_counts
from tests.conftest import csrf_from
from tests.dialogue.admin.views.test_participants import log_in_admin
from tests.dialogue.participate.views.test_rounds import log_in_participant
from tests.factories import STAFF_PASSWORD, make_dialogue, make_member, make_round
from tests.logins import staff_login

ENGLISH = {"Accept-Language": "en"}


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


def go_on_url(dialogue, page: str) -> str:
    return f"/d/{dialogue.slug}/privacy/go-on?next={page}"


def test_a_participant_signed_in_through_the_provider_reads_the_notice_first(
    app, client, monkeypatch
):
    dialogue = make_dialogue(
        language="en", data_controller="Example Municipality", oidc_claim="email"
    )
    round_ = make_round(dialogue)
    member = make_member(dialogue)
    monkeypatch.setitem(app.config, "OIDC_ENABLED", True)
    claims = {"email": member.person.email}
    monkeypatch.setattr(oidc, "verified_claims", lambda: claims)
    Session.commit()  # before the session's own request context ends and rolls back
    with client.session_transaction() as session:
        session[SIGN_IN_FOR] = {"a-state": dialogue.slug}  # what the start of the sign-in keeps
    signed_in = client.get("/login/oidc/callback?state=a-state")
    assert signed_in.location == f"/d/{dialogue.slug}/"

    page = f"/d/{dialogue.slug}/rounds/{round_.id}/"
    for path in (f"/d/{dialogue.slug}/", page):
        response = client.get(path)
        assert response.status_code == 303
        assert response.location == go_on_url(dialogue, path)
    notice = client.get(go_on_url(dialogue, page), headers=ENGLISH)
    text = notice.get_data(as_text=True)
    assert notice.status_code == 200
    assert "Data controller: Example Municipality is responsible" in text
    assert "Continue to the dialogue" in text
    assert 'action="/logout"' in text  # the choice not to go on

    # Writing is refused until the notice is read, and going on stores nothing.
    csrf = csrf_from(notice)
    before = row_counts()
    held_back = client.post(f"{page}contributions", data={"csrf_token": csrf, "body": "Min tekst"})
    assert held_back.status_code == 303
    assert held_back.location.startswith(f"/d/{dialogue.slug}/privacy/go-on")
    went_on = client.post(go_on_url(dialogue, page), data={"csrf_token": csrf})
    assert went_on.status_code == 303
    assert went_on.location == page
    assert row_counts() == before
    assert Session.scalar(select(func.count()).select_from(Contribution)) == 0
    assert client.get(page).status_code == 200


def test_a_login_to_one_dialogue_shows_the_others_notice_before_its_pages(client):
    first = make_dialogue(language="en")
    second = make_dialogue(language="en")
    make_round(first)
    make_round(second)
    member = make_member(first)
    Session.add(Membership(person=member.person, dialogue=second, role=Role.PARTICIPANT))
    Session.flush()
    log_in_participant(client, member)  # the link's page showed the first dialogue's notice
    assert client.get(f"/d/{first.slug}/").status_code == 200
    home = f"/d/{second.slug}/"
    assert client.get(home).location == go_on_url(second, home)
    assert client.get(f"/d/{second.slug}/privacy").status_code == 200  # the notice itself is open


def test_going_on_refuses_a_missing_token_and_a_foreign_destination(client):
    dialogue = make_dialogue(language="en")
    member = make_member(dialogue)
    Session.add(Membership(person=member.person, dialogue=make_dialogue(), role=Role.PARTICIPANT))
    other = Session.scalars(select(Membership).where(Membership.person_id == member.person_id))
    second = next(m.dialogue for m in other if m.dialogue_id != dialogue.id)
    log_in_participant(client, member)
    url = f"/d/{second.slug}/privacy/go-on"
    page = client.get(url)
    assert client.post(url, data={}).status_code == 400
    for target in ("https://evil.example/", f"/d/{dialogue.slug}/", f"/d/{second.slug}//x"):
        response = client.post(url, data={"csrf_token": csrf_from(page), "next": target})
        assert response.location == f"/d/{second.slug}/"


def test_staff_have_no_notice_to_accept(client):
    dialogue, _admin = log_in_admin(client)
    response = client.get(f"/d/{dialogue.slug}/privacy/go-on")
    assert response.status_code == 302
    assert response.location == f"/d/{dialogue.slug}/"


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
