"""Contributing in a challenges round, and finding one's own input again (issue: participation)."""

import datetime as dt
import re

import pytest
import time_machine
from sqlalchemy import func, select

from dialogue.auth.services.logins import issue_login_link
from dialogue.core.anonymity import author_pseudonym
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Role
from rounds import submissions
from rounds.errors import RoundClosed
from tests.conftest import TEST_SECRETS, csrf_from
from tests.factories import (
    STAFF_PASSWORD,
    make_contribution,
    make_dialogue,
    make_member,
    make_round,
)
from tests.logins import staff_login

NONCE = re.compile(r'name="nonce"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="nonce"')


def log_in_participant(client, membership):
    token = issue_login_link(membership, dt.timedelta(hours=1))
    csrf = csrf_from(client.get(f"/link/{token}"))
    assert client.post(f"/link/{token}", data={"csrf_token": csrf}).status_code == 302


def form_fields(page):
    html = page.get_data(as_text=True)
    nonce = NONCE.search(html)
    return {"csrf_token": csrf_from(page), "nonce": next(g for g in nonce.groups() if g)}


def setup_round(client, **round_values):
    dialogue = make_dialogue()
    participant = make_member(dialogue, department="IT", role_group="Medarbejder")
    round_ = make_round(dialogue, **round_values)
    log_in_participant(client, participant)
    return dialogue, participant, round_


def round_url(dialogue, round_):
    return f"/d/{dialogue.slug}/rounds/{round_.id}/"


def count_contributions(round_):
    return Session.scalar(
        select(func.count()).select_from(Contribution).where(Contribution.round_id == round_.id)
    )


def submit(client, dialogue, round_, body, fields=None):
    fields = fields or form_fields(client.get(round_url(dialogue, round_)))
    return client.post(
        f"/d/{dialogue.slug}/rounds/{round_.id}/contributions", data={**fields, "body": body}
    )


def test_participant_adds_a_contribution_and_sees_it(client):
    dialogue, _, round_ = setup_round(client)
    response = submit(client, dialogue, round_, "  Vi mangler tid til borgerne  ")
    assert response.status_code == 303
    page = client.get(round_url(dialogue, round_)).get_data(as_text=True)
    assert "Vi mangler tid til borgerne" in page
    assert count_contributions(round_) == 1


def test_a_saved_contribution_is_thanked_without_touching_the_session_cookie(client):
    dialogue, _, round_ = setup_round(client)
    fields = form_fields(client.get(round_url(dialogue, round_)))
    response = submit(client, dialogue, round_, "Vi mangler tid", fields)
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers
    page = client.get(response.headers["Location"])
    assert "Set-Cookie" not in page.headers
    thanks = '<p class="flash flash-success">Tak. Dit bidrag er gemt.</p>'
    assert thanks in page.get_data(as_text=True)
    assert thanks not in client.get(round_url(dialogue, round_)).get_data(as_text=True)


def test_a_retried_form_stores_one_contribution(client):
    dialogue, _, round_ = setup_round(client)
    fields = form_fields(client.get(round_url(dialogue, round_)))
    for _ in range(3):
        assert submit(client, dialogue, round_, "Samme tekst", fields).status_code == 303
    assert count_contributions(round_) == 1


def test_stored_contribution_keeps_only_the_day_and_a_pseudonym(client):
    dialogue, participant, round_ = setup_round(client)
    submit(client, dialogue, round_, "En udfordring")
    stored = Session.scalar(select(Contribution).where(Contribution.round_id == round_.id))
    assert isinstance(stored.created_on, dt.date)
    assert not isinstance(stored.created_on, dt.datetime)
    secret = TEST_SECRETS["ANON_SECRET"]
    assert stored.author == author_pseudonym(secret, dialogue.id, participant.person_id)
    values = {
        str(getattr(stored, c.key)) for c in Contribution.__table__.columns if c.key != "round_id"
    }
    assert not values & {
        str(participant.person_id),
        participant.person.email,
        participant.person.name,
    }


def test_empty_and_oversized_texts_are_refused_with_a_message(client):
    dialogue, _, round_ = setup_round(client, settings={"max_length": 50})
    empty = submit(client, dialogue, round_, "   ")
    assert empty.status_code == 422
    assert "Skriv venligst noget" in empty.get_data(as_text=True)
    long = submit(client, dialogue, round_, "x" * 51)
    assert long.status_code == 422
    assert "50 tegn" in long.get_data(as_text=True)
    assert count_contributions(round_) == 0


def test_the_round_limit_on_contributions_holds(client):
    dialogue, _, round_ = setup_round(client, settings={"max_contributions": 2})
    fields = form_fields(client.get(round_url(dialogue, round_)))
    for number, text in enumerate(("første", "anden")):
        assert (
            submit(client, dialogue, round_, text, {**fields, "nonce": f"n{number}"}).status_code
            == 303
        )
    third = submit(client, dialogue, round_, "tredje", {**fields, "nonce": "n3"})
    assert third.status_code == 422
    assert count_contributions(round_) == 2


def test_a_retried_last_form_at_the_limit_is_acknowledged_once(client):
    dialogue, _, round_ = setup_round(client, settings={"max_contributions": 2})
    fields = form_fields(client.get(round_url(dialogue, round_)))
    for nonce in ("n0", "n1", "n1"):
        response = submit(client, dialogue, round_, f"tekst {nonce}", {**fields, "nonce": nonce})
        assert response.status_code == 303
    assert count_contributions(round_) == 2


def test_the_insert_itself_refuses_a_round_closed_since_it_was_read(app_context):
    """The round object says open; the database, read by the INSERT, says closed."""
    dialogue = make_dialogue()
    round_ = make_round(dialogue, **closing_soon())
    author = author_pseudonym(TEST_SECRETS["ANON_SECRET"], dialogue.id, 1)
    late = round_.closes_at + dt.timedelta(seconds=1)
    stored = submissions.insert_text(
        round_, author, body="Skrevet efter lukning", nonce="late", now=late, limit=5
    )
    assert stored is None
    assert count_contributions(round_) == 0
    with pytest.raises(RoundClosed):
        submissions.explain_refusal(round_, author, nonce="late", now=late, limit=5)


def closing_soon():
    now = dt.datetime.now(dt.UTC)
    return {"opens_at": now - dt.timedelta(days=6), "closes_at": now + dt.timedelta(minutes=5)}


def test_a_late_post_is_refused_and_the_text_is_given_back(client):
    dialogue, _, round_ = setup_round(client, **closing_soon())
    fields = form_fields(client.get(round_url(dialogue, round_)))
    with time_machine.travel(round_.closes_at):
        response = submit(client, dialogue, round_, "Skrevet for sent", fields)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Runden er lukket" in page
    assert "Skrevet for sent" in page
    assert count_contributions(round_) == 0


def test_a_post_one_second_before_closing_is_accepted(client):
    dialogue, _, round_ = setup_round(client, **closing_soon())
    fields = form_fields(client.get(round_url(dialogue, round_)))
    with time_machine.travel(round_.closes_at - dt.timedelta(seconds=1)):
        assert submit(client, dialogue, round_, "Lige i tide", fields).status_code == 303


def test_participant_edits_and_withdraws_own_contribution(client):
    dialogue, participant, round_ = setup_round(client)
    submit(client, dialogue, round_, "Første udgave")
    contribution = Session.scalar(select(Contribution).where(Contribution.round_id == round_.id))
    edit_url = f"/d/{dialogue.slug}/contributions/{contribution.id}/edit"
    csrf = csrf_from(client.get(edit_url))
    assert (
        client.post(edit_url, data={"csrf_token": csrf, "body": "Anden udgave"}).status_code == 303
    )
    Session.expire_all()
    assert Session.get(Contribution, contribution.id).body == "Anden udgave"

    withdraw_url = f"/d/{dialogue.slug}/contributions/{contribution.id}/withdraw"
    assert client.post(withdraw_url, data={"csrf_token": csrf}).status_code == 303
    assert count_contributions(round_) == 0


def test_nobody_can_edit_another_persons_contribution(client):
    dialogue, _, round_ = setup_round(client)
    someone_else = make_member(dialogue)
    theirs = make_contribution(round_, someone_else, "Ikke din tekst")
    edit_url = f"/d/{dialogue.slug}/contributions/{theirs.id}/edit"
    assert client.get(edit_url).status_code == 404
    csrf = csrf_from(client.get(round_url(dialogue, round_)))
    response = client.post(edit_url, data={"csrf_token": csrf, "body": "Overtaget"})
    assert response.status_code == 404
    withdraw = client.post(
        f"/d/{dialogue.slug}/contributions/{theirs.id}/withdraw", data={"csrf_token": csrf}
    )
    assert withdraw.status_code == 404
    Session.expire_all()
    assert Session.get(Contribution, theirs.id).body == "Ikke din tekst"


def test_another_dialogues_round_is_not_found(client):
    dialogue, _, _ = setup_round(client)
    other_round = make_round(make_dialogue())
    assert client.get(f"/d/{dialogue.slug}/rounds/{other_round.id}/").status_code == 404
    response = submit(client, dialogue, other_round, "Forkert runde", {"csrf_token": "x"})
    assert response.status_code in (400, 404)
    assert count_contributions(other_round) == 0


def test_my_input_lists_exactly_my_own_contributions(client):
    dialogue, participant, round_ = setup_round(client)
    colleague = make_member(dialogue)
    make_contribution(round_, participant, "Min første")
    make_contribution(round_, participant, "Min anden")
    make_contribution(round_, colleague, "Kollegaens tekst")
    page = client.get(f"/d/{dialogue.slug}/my-input").get_data(as_text=True)
    assert "Min første" in page
    assert "Min anden" in page
    assert "Kollegaens tekst" not in page


def test_html_in_a_contribution_is_shown_as_text(client):
    dialogue, _, round_ = setup_round(client)
    payload = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    submit(client, dialogue, round_, payload)
    page = client.get(round_url(dialogue, round_)).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_staff_cannot_contribute(client):
    dialogue = make_dialogue()
    round_ = make_round(dialogue)
    consultant = make_member(dialogue, Role.CONSULTANT)
    log_in_participant(client, consultant)
    assert client.get(round_url(dialogue, round_)).status_code == 403


def test_the_consultants_list_pages_by_key_through_the_same_order(client):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue)
    member = make_member(dialogue)
    for number in range(120):
        make_contribution(round_, member, f"Tekst nummer {number}")
    consultant = make_member(dialogue, Role.CONSULTANT)
    staff_login(client, consultant.person.email, STAFF_PASSWORD)
    url = f"/d/{dialogue.slug}/staff/rounds/{round_.id}/contributions"
    texts = re.compile(r"Tekst nummer \d+")
    link = re.compile(r'<a href="([^"]+)">(Next page|Previous page)</a>')

    def visit(path):
        page = client.get(path.replace("&amp;", "&")).get_data(as_text=True)
        return texts.findall(page), {name: href for href, name in link.findall(page)}

    by_offset = [visit(f"{url}?page={n}")[0] for n in (1, 2, 3)]
    walked, links = visit(url)
    forward = [walked]
    while "Next page" in links:
        assert "after=" in links["Next page"]
        walked, links = visit(links["Next page"])
        forward.append(walked)
    backward = [walked]
    while "Previous page" in links:
        assert "before=" in links["Previous page"]
        walked, links = visit(links["Previous page"])
        backward.append(walked)

    assert forward == by_offset == backward[::-1]
    assert [len(page) for page in forward] == [50, 50, 20]
    assert client.get(f"{url}?page=2&after=not-an-id").status_code == 200
