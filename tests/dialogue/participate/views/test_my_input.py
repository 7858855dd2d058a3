"""A participant's own data on "my input": download it (JSON, CSV), or erase all of it."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import func, select

from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Contribution, Membership, Role, Theme, ThemeMember
from dialogue.core.models.proposal import ProposalKind
from dialogue.synthesis.services.proposals import add_source, create_proposal, finalise_proposal
from tests.conftest import csrf_from
from tests.dialogue.participate.views.test_rounds import log_in_participant
from tests.factories import (
    STAFF_PASSWORD,
    make_contribution,
    make_dialogue,
    make_member,
    make_round,
)
from tests.logins import staff_login


def setup(client):
    """Two participants with a text each; the first is logged in."""
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue)
    me = make_member(dialogue)
    other = make_member(dialogue)
    make_contribution(round_, me, "=Mine, with a formula start")
    make_contribution(round_, other, "Someone else's text")
    me_id = me.id
    log_in_participant(client, me)
    return dialogue, Session.get(Membership, me_id)


def bodies() -> set[str]:
    return set(Session.scalars(select(Contribution.body)))


def test_the_download_holds_the_participants_own_texts_only(client):
    dialogue, _me = setup(client)
    response = client.get(f"/d/{dialogue.slug}/my-input/download/json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = json.loads(response.get_data(as_text=True))["contributions"]
    assert [row["text"] for row in rows] == ["=Mine, with a formula start"]

    table = client.get(f"/d/{dialogue.slug}/my-input/download/csv")
    assert table.mimetype == "text/csv"
    lines = list(csv.DictReader(io.StringIO(table.get_data(as_text=True).lstrip("\ufeff"))))
    assert [line["text"] for line in lines] == ["'=Mine, with a formula start"]
    assert client.get(f"/d/{dialogue.slug}/my-input/download/xml").status_code == 404


def test_erasing_asks_first_then_removes_only_the_own_texts_with_no_trace(client):
    dialogue, _me = setup(client)
    url = f"/d/{dialogue.slug}/my-input/erase"
    page = client.get(url)
    assert page.status_code == 200
    assert "This erases the 1 contribution" in page.get_data(as_text=True)
    unticked = client.post(url, data={"csrf_token": csrf_from(page)})
    assert unticked.status_code == 422
    assert "Tick the box to confirm." in unticked.get_data(as_text=True)
    assert len(bodies()) == 2
    audit = Session.scalar(select(func.count()).select_from(AuditEvent))

    done = client.post(url, data={"csrf_token": csrf_from(page), "confirm": "y"})

    assert done.status_code == 303
    assert bodies() == {"Someone else's text"}
    assert Session.scalar(select(func.count()).select_from(AuditEvent)) == audit
    assert "1 contribution or answer is erased." in client.get(done.location).get_data(as_text=True)


def test_erasing_without_a_token_or_by_get_or_put_changes_nothing(client):
    dialogue, _me = setup(client)
    url = f"/d/{dialogue.slug}/my-input/erase"
    assert client.post(url, data={"confirm": "y"}).status_code == 400
    assert client.put(url, data={"confirm": "y"}).status_code == 405
    assert client.get(url, query_string={"confirm": "y"}).status_code == 200
    assert len(bodies()) == 2


def test_staff_and_strangers_can_neither_download_nor_erase(client):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue)
    writer = make_member(dialogue)
    make_contribution(round_, writer, "A text")
    consultant = make_member(dialogue, Role.CONSULTANT)
    assert client.get(f"/d/{dialogue.slug}/my-input/download/json").status_code in (302, 404)
    assert staff_login(client, consultant.person.email, STAFF_PASSWORD).status_code == 302
    assert client.get(f"/d/{dialogue.slug}/my-input/download/json").status_code == 403
    page = client.get(f"/d/{dialogue.slug}/")
    erase = client.post(
        f"/d/{dialogue.slug}/my-input/erase", data={"csrf_token": csrf_from(page), "confirm": "y"}
    )
    assert erase.status_code == 403
    assert client.get(f"/d/{make_dialogue().slug}/my-input/erase").status_code == 404
    assert bodies() == {"A text"}


def test_after_erasing_the_value_and_its_theme_say_a_text_was_withdrawn(client):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue)
    me, other = make_member(dialogue), make_member(dialogue)
    texts = [make_contribution(round_, me, "Mine"), make_contribution(round_, other, "Theirs")]
    theme = Theme(round_id=round_.id, label="Cooperation")
    Session.add(theme)
    Session.flush()
    Session.add_all(ThemeMember(theme_id=theme.id, contribution_id=text.id) for text in texts)
    value = create_proposal(dialogue, kind=ProposalKind.VALUE, title="Together", actor_id=None)
    add_source(value, theme=theme, actor_id=None)
    finalise_proposal(value, title="Together", text="", note="", actor_id=None)
    value_url = f"/d/{dialogue.slug}/values/{value.id}"
    me_id, other_id = me.id, other.id
    log_in_participant(client, Session.get(Membership, me_id))
    assert "withdrawn" not in client.get(value_url).get_data(as_text=True)
    url = f"/d/{dialogue.slug}/my-input/erase"
    page = client.get(url)
    assert "it says that a text was withdrawn, not whose or when" in page.get_data(as_text=True)
    client.post(url, data={"csrf_token": csrf_from(page), "confirm": "y"})

    client.post("/logout", data={"csrf_token": csrf_from(client.get("/"))})
    log_in_participant(client, Session.get(Membership, other_id))
    trace = client.get(value_url).get_data(as_text=True)
    assert "1 text that this was built on was later withdrawn by its author." in trace
    assert "1 text placed here was later withdrawn by its author." in trace
