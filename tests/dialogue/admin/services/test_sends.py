"""Invitations, reminders and new links: real mail through SMTP, links that log in, anonymity."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
import time_machine
from sqlalchemy import select

from dialogue.auth.services import logins as auth_services
from dialogue.core.anonymity import author_pseudonym
from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Contribution, Role
from tests.conftest import csrf_from
from tests.dialogue.admin.views.test_participants import log_in_admin, page_url
from tests.dialogue.core.test_mail import body_of, running_smtp_server
from tests.factories import make_dialogue, make_member, make_round


@pytest.fixture
def smtp_server(app, monkeypatch):
    with running_smtp_server(app, monkeypatch) as capture:
        yield capture


def contribute(app, round_, membership, body):
    """What ``make_contribution`` stores, without an app context (whose end would roll back)."""
    author = author_pseudonym(app.config["ANON_SECRET"], round_.dialogue_id, membership.person_id)
    Session.add(Contribution(round=round_, author=author, body=body, created_on=dt.date.today()))
    Session.flush()


LINK = re.compile(r"http://\S+/link/\S+")


def link_in(message) -> str:
    [link] = LINK.findall(body_of(message))
    return link.removeprefix("http://127.0.0.1:5000")


def send_invitations(client, dialogue, *, replace_links=False):
    """Open the confirmation page, as the participants page's button does, and confirm."""
    url = f"/d/{dialogue.slug}/admin/participants/invite"
    data = {"csrf_token": csrf_from(client.get(url))}
    if replace_links:
        data["replace_links"] = "y"
    return client.post(url, data=data)


def send_reminders(client, dialogue, round_, *, replace_links=False):
    url = f"/d/{dialogue.slug}/admin/participants/remind/{round_.id}"
    confirm = client.get(url)
    data = {f"round{round_.id}-csrf_token": csrf_from(confirm)}
    if replace_links:
        data[f"round{round_.id}-replace_links"] = "y"
    return client.post(url, data=data)


def log_out(client):
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/"))})


def test_invitations_reach_every_participant_with_a_link_that_logs_in(client, smtp_server):
    dialogue = make_dialogue(language="en")
    dialogue.title = "Fælles værdier 2026"
    make_round(dialogue)
    participants = [make_member(dialogue) for _ in range(3)]
    make_member(dialogue, Role.CONSULTANT)
    dialogue, admin = log_in_admin(client, dialogue)

    response = send_invitations(client, dialogue)

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Invitation sent to 3 participants." in page
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        p.person.email for p in participants
    )
    message = next(m for m in smtp_server.messages if m["To"] == participants[0].person.email)
    assert message["Subject"] == "Invitation: Fælles værdier 2026"
    assert "Fælles værdier 2026" in body_of(message)
    assert f"Dear {participants[0].person.name}," in body_of(message)

    log_out(client)
    link = link_in(message)
    confirm = client.get(link)
    assert confirm.status_code == 200
    logged_in = client.post(link, data={"csrf_token": csrf_from(confirm)})
    assert logged_in.status_code == 302
    assert client.get(logged_in.headers["Location"]).status_code == 200
    event = Session.scalar(select(AuditEvent).where(AuditEvent.action == "participants.invited"))
    assert (event.actor_id, event.details) == (admin.person_id, {"count": 3})


def log_in_with(client, link):
    confirm = client.get(link)
    return client.post(link, data={"csrf_token": csrf_from(confirm)})


def test_sending_again_leaves_unused_earlier_links_working(client, smtp_server):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue)
    make_member(dialogue)
    log_in_admin(client, dialogue)
    send_invitations(client, dialogue)
    send_invitations(client, dialogue)
    send_reminders(client, dialogue, round_)
    first, second, third = (link_in(message) for message in smtp_server.messages)
    log_out(client)
    assert client.get(first).status_code == 200
    assert client.get(third).status_code == 200
    assert log_in_with(client, second).status_code == 302
    log_out(client)
    # A used link stays used, kept or not.
    assert client.get(second).status_code == 410
    assert log_in_with(client, first).status_code == 302


def test_the_admin_can_end_every_earlier_link(client, smtp_server):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue)
    make_member(dialogue)
    log_in_admin(client, dialogue)
    send_invitations(client, dialogue)
    send_invitations(client, dialogue)
    send_reminders(client, dialogue, round_, replace_links=True)
    first, second, newest = (link_in(message) for message in smtp_server.messages)
    log_out(client)
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 410
    assert client.get(newest).status_code == 200


def test_the_confirmation_shows_the_count_and_the_mail_and_sends_nothing(client, smtp_server):
    dialogue = make_dialogue(language="en")
    dialogue.title = "Fælles værdier 2026"
    round_ = make_round(dialogue)
    round_.title = "Udfordringer"
    for _ in range(3):
        make_member(dialogue)
    make_member(dialogue).person.is_active = False
    log_in_admin(client, dialogue)

    invitation = client.get(f"/d/{dialogue.slug}/admin/participants/invite")
    reminder = client.get(f"/d/{dialogue.slug}/admin/participants/remind/{round_.id}")

    for page in (invitation, reminder):
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "The message goes to all 3 participants" in text
        assert "Dear [name]," in text
        assert "[personal link]" in text
    assert "You are invited to take part in the dialogue “Fælles værdier 2026”" in (
        invitation.get_data(as_text=True)
    )
    assert "the round “Udfordringer”" in reminder.get_data(as_text=True)
    assert smtp_server.messages == []


def test_the_send_log_shows_counts_and_never_a_recipient(client, smtp_server):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue)
    round_.title = "Udfordringer"
    members = [make_member(dialogue) for _ in range(2)]
    log_in_admin(client, dialogue)
    send_invitations(client, dialogue)
    send_reminders(client, dialogue, round_, replace_links=True)

    page = client.get(page_url(dialogue)).get_data(as_text=True)

    log = page[page.index('id="sends-heading"') : page.index('id="list-heading"')]
    rows = re.findall(r"<tr>(.*?)</tr>", log, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows[1:]]
    assert [c[1:] for c in cells] == [
        ["Reminder", "Udfordringer", "2", "an admin", "stopped working"],
        ["Invitation", "", "2", "an admin", "still work"],
    ]
    for member in members:
        assert member.person.email not in log
        assert member.person.name not in log


def test_links_live_until_the_last_round_closes_and_at_least_a_week(app_context):
    dialogue = make_dialogue()
    assert auth_services.link_lifetime(dialogue) == auth_services.MIN_LINK_LIFETIME
    with time_machine.travel(dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC), tick=False):
        make_round(dialogue, closes_at=dt.datetime(2026, 3, 5, tzinfo=dt.UTC))
        assert auth_services.link_lifetime(dialogue) == dt.timedelta(days=7)
        make_round(dialogue, closes_at=dt.datetime(2026, 4, 30, 8, tzinfo=dt.UTC))
        assert auth_services.link_lifetime(dialogue) == dt.timedelta(days=59)


def test_without_a_mail_server_the_page_says_where_the_mails_are(client, app, tmp_path):
    app.config["MAIL_OUTBOX"], old = str(tmp_path / "outbox"), app.config["MAIL_OUTBOX"]
    try:
        dialogue, _ = log_in_admin(client)
        make_member(dialogue)
        page = client.get(send_invitations(client, dialogue).headers["Location"])
    finally:
        app.config["MAIL_OUTBOX"] = old
    assert f"saved as files in {tmp_path / 'outbox'}" in page.get_data(as_text=True)
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_reminders_go_to_every_active_participant_whether_they_wrote_or_not(
    app, client, smtp_server, caplog
):
    caplog.set_level(logging.DEBUG)
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue)
    contributed = [make_member(dialogue) for _ in range(2)]
    silent = [make_member(dialogue) for _ in range(3)]
    for membership in contributed:
        contribute(app, round_, membership, "Vi mangler tid til at tale sammen")
    log_in_admin(client, dialogue)

    response = send_reminders(client, dialogue, round_)

    assert response.status_code == 302
    everyone = sorted(m.person.email for m in contributed + silent)
    assert sorted(m["To"] for m in smtp_server.messages) == everyone
    assert all(link_in(message) for message in smtp_server.messages)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Reminder sent to 5 participants." in page
    assert "not contributed" not in page
    event = Session.scalar(select(AuditEvent).where(AuditEvent.action == "participants.reminded"))
    assert event.details == {"round_id": round_.id, "count": 5}
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("dialogue"))
    assert "@" not in ours


def test_a_closed_round_gets_no_reminders(client, smtp_server):
    dialogue = make_dialogue(language="en")
    now = dt.datetime.now(dt.UTC)
    open_round = make_round(dialogue)
    closed = make_round(
        dialogue, opens_at=now - dt.timedelta(days=9), closes_at=now - dt.timedelta(days=2)
    )
    make_member(dialogue)
    log_in_admin(client, dialogue)
    csrf = csrf_from(client.get(page_url(dialogue)))

    response = client.post(
        f"/d/{dialogue.slug}/admin/participants/remind/{closed.id}",
        data={f"round{closed.id}-csrf_token": csrf},
    )

    assert response.status_code == 409
    assert "only be sent while the round is open" in response.get_data(as_text=True)
    confirm = client.get(f"/d/{dialogue.slug}/admin/participants/remind/{closed.id}")
    assert confirm.status_code == 409
    assert smtp_server.messages == []
    assert open_round.id != closed.id


def test_another_dialogues_round_and_a_forged_form_are_refused(client, smtp_server):
    dialogue = make_dialogue(language="en")
    make_member(dialogue)
    foreign = make_round(make_dialogue())
    own = make_round(dialogue)
    log_in_admin(client, dialogue)
    assert send_reminders(client, dialogue, foreign).status_code == 404
    forged = client.post(f"/d/{dialogue.slug}/admin/participants/remind/{own.id}", data={})
    assert forged.status_code == 400
    assert smtp_server.messages == []


def test_a_participant_cannot_send_reminders(client, smtp_server):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue)
    participant = make_member(dialogue)
    link = auth_services.issue_login_link(participant, dt.timedelta(days=1))
    confirm = client.get(f"/link/{link}")
    assert client.post(f"/link/{link}", data={"csrf_token": csrf_from(confirm)}).status_code == 302
    csrf = csrf_from(client.get("/"))
    response = client.post(
        f"/d/{dialogue.slug}/admin/participants/remind/{round_.id}",
        data={f"round{round_.id}-csrf_token": csrf},
    )
    assert response.status_code == 403
    assert smtp_server.messages == []


def request_link(client, address):
    csrf = csrf_from(client.get("/login/link"))
    return client.post("/login/link", data={"csrf_token": csrf, "email": address})


def test_a_participant_can_ask_for_a_new_link(client, smtp_server):
    dialogue = make_dialogue(language="en")
    dialogue.title = "Strategi"
    participant = make_member(dialogue)
    make_member(make_dialogue(), Role.CONSULTANT)  # another dialogue, not involved

    response = request_link(client, participant.person.email.upper())

    assert response.status_code == 302
    [message] = smtp_server.messages
    assert message["To"] == participant.person.email
    assert message["Subject"] == "Your new link: Strategi"
    confirm = client.get(link_in(message))
    assert confirm.status_code == 200


def test_known_and_unknown_addresses_get_the_same_answer(client, smtp_server):
    participant = make_member(make_dialogue())
    staff = make_member(make_dialogue(), Role.ADMIN)
    answers = []
    for address in (participant.person.email, "nobody@example.org", staff.person.email):
        response = request_link(client, address)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        answers.append((response.status_code, re.sub(r'value="[^"]+"', "", page)))
    assert answers[0] == answers[1] == answers[2]
    assert [m["To"] for m in smtp_server.messages] == [participant.person.email]


def test_a_malformed_address_is_refused_with_a_message(client, smtp_server):
    response = request_link(client, "not an address")
    assert response.status_code == 422
    assert smtp_server.messages == []


@pytest.fixture
def limited_client(app, db_session, app_factory, database_url):
    """A client of an app with rate limits on, sharing the migrated test database.

    ``db_session`` first, so that its clean-up restores the shared session's binding.
    """
    limited = app_factory(database_url, RATELIMIT_ENABLED=True)
    return limited.test_client()


def test_new_link_requests_are_rate_limited_per_address_and_per_address_source(limited_client):
    statuses = [request_link(limited_client, "nobody@example.org").status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    assert request_link(limited_client, "someone-else@example.org").status_code == 302
    others = [request_link(limited_client, f"n{n}@example.org").status_code for n in range(20)]
    assert 429 in others
