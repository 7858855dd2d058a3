"""The admin's round management: create in local time, refuse bad settings, lock, reorder."""

from __future__ import annotations

import datetime as dt
import html
import re

from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, Role, Round, RoundKind
from tests.conftest import csrf_from
from tests.factories import STAFF_PASSWORD, make_dialogue, make_member, make_round
from tests.logins import staff_login
from tests.rounds.factories import ITEMS, author_of, participants


def log_in_admin(client, dialogue):
    admin = make_member(dialogue, Role.ADMIN)
    assert staff_login(client, admin.person.email, STAFF_PASSWORD).status_code == 302
    return admin


def base_url(dialogue):
    return f"/d/{dialogue.slug}/manage/rounds"


def prioritisation_form(csrf, **overrides):
    return {
        "csrf_token": csrf,
        "title": "Prioritering",
        "prompt": "Hvilke udfordringer er de vigtigste?",
        "opens_at": "2026-10-18T08:00",
        "closes_at": "2026-10-25T00:00",
        "setting_items": "Arbejdsmiljø\nDigitalisering\nsamarbejde | Samarbejde på tværs",
        "setting_method": "rank",
        "setting_top_k": "2",
        "setting_budget": "100",
        "setting_allow_other": "y",
        "setting_other_max_length": "500",
        "setting_max_iqr": "1",
        "setting_min_share": "0,7",
        "setting_polar_share": "0.3",
        "setting_stop_after": "3",
        "setting_stop_change": "0.1",
        "setting_source_round": "0",
        "setting_repeat_of": "0",
        **overrides,
    }


def test_only_admins_manage_rounds(client):
    dialogue = make_dialogue(language="en")
    consultant = make_member(dialogue, Role.CONSULTANT)
    staff_login(client, consultant.person.email, STAFF_PASSWORD)
    assert client.get(base_url(dialogue) + "/").status_code == 403


def test_admin_creates_a_round_in_local_time(client):
    dialogue = make_dialogue(language="en")
    log_in_admin(client, dialogue)
    page = client.get(base_url(dialogue) + "/new?kind=prioritisation")
    assert page.status_code == 200
    assert 'type="datetime-local"' in page.get_data(as_text=True)
    response = client.post(
        base_url(dialogue) + "/new?kind=prioritisation", data=prioritisation_form(csrf_from(page))
    )
    assert response.status_code == 303
    round_ = Session.scalars(select(Round).where(Round.dialogue_id == dialogue.id)).one()
    assert round_.kind is RoundKind.PRIORITISATION
    assert round_.closes_at == dt.datetime(2026, 10, 24, 22, 0, tzinfo=dt.UTC)
    assert [i["key"] for i in round_.settings["items"]] == [
        "arbejdsmiljoe",
        "digitalisering",
        "samarbejde",
    ]
    assert round_.settings["top_k"] == 2
    listing = client.get(base_url(dialogue) + "/").get_data(as_text=True)
    assert "Prioritering" in listing


def test_bad_settings_and_times_are_refused_with_a_message(client):
    dialogue = make_dialogue(language="en")
    log_in_admin(client, dialogue)
    page = client.get(base_url(dialogue) + "/new?kind=prioritisation")
    csrf = csrf_from(page)
    cases = [
        ({"setting_budget": "lots"}, "Please enter a number."),
        ({"setting_min_share": "0.4"}, "consensus share"),
        ({"closes_at": "2026-03-29T02:30", "opens_at": "2026-03-22T08:00"}, "does not exist"),
        ({"opens_at": "tomorrow"}, "like 2026-03-02T08:00"),
    ]
    for overrides, message in cases:
        response = client.post(
            base_url(dialogue) + "/new?kind=prioritisation",
            data=prioritisation_form(csrf, **overrides),
        )
        assert response.status_code == 422, overrides
        assert message in response.get_data(as_text=True)
    assert Session.scalars(select(Round).where(Round.dialogue_id == dialogue.id)).all() == []


def test_the_method_cannot_change_once_the_round_has_input(client):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue, RoundKind.PRIORITISATION, settings={"items": ITEMS, "top_k": 2})
    (member,) = participants(dialogue, 1)
    Session.add(
        Contribution(
            round=round_,
            author=author_of(member),
            data={"method": "rank", "ranking": ["samarbejde"]},
            created_on=round_.opens_at.date(),
        )
    )
    round_id = round_.id
    log_in_admin(client, dialogue)
    edit_url = f"{base_url(dialogue)}/{round_id}/edit"
    page = client.get(edit_url)
    assert "already has input" in page.get_data(as_text=True)
    items = "\n".join(f"{i['key']} | {i['label']}" for i in ITEMS)
    response = client.post(
        edit_url,
        data=prioritisation_form(
            csrf_from(page),
            setting_items=items,
            setting_method="points",
            opens_at="2020-01-01T08:00",
            closes_at="2099-01-01T08:00",
        ),
    )
    assert response.status_code == 409
    assert "can no longer change" in response.get_data(as_text=True)
    stored = Session.get(Round, round_id)
    assert "method" not in stored.settings


def test_rounds_are_reordered_with_buttons(client):
    dialogue = make_dialogue(language="en")
    first, second = make_round(dialogue), make_round(dialogue)
    first_id, second_id = first.id, second.id
    log_in_admin(client, dialogue)
    page = client.get(base_url(dialogue) + "/")
    response = client.post(
        f"{base_url(dialogue)}/{second_id}/move",
        data={"csrf_token": csrf_from(page), "direction": "up"},
    )
    assert response.status_code == 303
    Session.expire_all()
    order = Session.scalars(
        select(Round.id).where(Round.dialogue_id == dialogue.id).order_by(Round.position)
    ).all()
    assert order == [second_id, first_id]


def _answered(dialogue, kind, items, data):
    """A round of ``kind`` asking about ``items`` that one participant has answered."""
    round_ = make_round(dialogue, kind, settings={"items": items})
    (member,) = participants(dialogue, 1)
    Session.add(
        Contribution(
            round=round_,
            author=author_of(member),
            target=items[0]["key"],
            data=data,
            created_on=round_.opens_at.date(),
        )
    )
    Session.flush()
    return round_.id


def _as_a_browser_sends(page_html: str, csrf: str, **changes) -> dict:
    """The edit form's fields as a browser posts them: disabled fields are not sent."""
    fields = {"csrf_token": csrf}
    for tag in re.findall(r"<input\b[^>]*>", page_html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or " disabled" in tag or name.group(1).startswith("take-"):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' not in tag:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
        elif "checked" in tag:
            fields[name.group(1)] = "y"
    for element, attributes, content in re.findall(
        r"<(select|textarea)\b([^>]*)>(.*?)</\1>", page_html, re.S
    ):
        name = re.search(r'name="([^"]+)"', attributes).group(1)
        if " disabled" in attributes or name.startswith("take-"):
            continue
        if element == "textarea":
            fields[name] = html.unescape(content).strip("\r\n")
        else:
            chosen = re.search(r"<option[^>]*\bselected\b[^>]*>", content)
            fields[name] = re.search(r'value="([^"]*)"', chosen.group(0)).group(1)
    return {**fields, **changes}


def test_the_editor_shows_plain_items_and_locked_fields_as_locked_and_still_saves(client):
    dialogue = make_dialogue(language="en")
    items = [{"key": "proposal:7", "label": "Borgeren i centrum"}, *ITEMS[:2]]
    round_id = _answered(
        dialogue, RoundKind.PRIORITISATION, items, {"method": "rank", "ranking": ["proposal:7"]}
    )
    log_in_admin(client, dialogue)
    edit_url = f"{base_url(dialogue)}/{round_id}/edit"
    page = client.get(edit_url).get_data(as_text=True)
    assert "proposal:7" not in page  # one label a line, no keys
    assert " | " not in page
    assert "Borgeren i centrum\nArbejdsmiljø\nDigitalisering</textarea>" in page
    (method,) = re.findall(r"<select[^>]*setting_method[^>]*>", page)
    assert " disabled" in method
    assert page.count("Locked: the round already has answers") == 4  # items, method, places, budget
    sent = _as_a_browser_sends(page, csrf_from(client.get(edit_url)), title="Prioritering i dag")
    assert "setting_items" not in sent
    assert "setting_method" not in sent
    response = client.post(edit_url, data=sent)
    assert response.status_code == 303, response.get_data(as_text=True)
    stored = Session.get(Round, round_id)
    assert stored.title == "Prioritering i dag"
    assert stored.settings["items"] == items  # the link to the proposal is kept


def test_items_may_be_added_to_an_answered_action_round_but_not_changed(client):
    dialogue = make_dialogue(language="en")
    items = [{"key": "proposal:1", "label": "Borgeren i centrum"}]
    round_id = _answered(dialogue, RoundKind.ACTION, items, {"aspect": "me"})
    log_in_admin(client, dialogue)
    edit_url = f"{base_url(dialogue)}/{round_id}/edit"
    page = client.get(edit_url).get_data(as_text=True)
    assert "you can add new items at the end" in page
    sent = _as_a_browser_sends(page, csrf_from(client.get(edit_url)))
    reordered = client.post(
        edit_url, data={**sent, "setting_items": "Mod til at prøve\nBorgeren i centrum"}
    )
    assert reordered.status_code == 409
    assert "new items can be added after them" in reordered.get_data(as_text=True)
    appended = client.post(
        edit_url, data={**sent, "setting_items": "Borgeren i centrum\nMod til at prøve"}
    )
    assert appended.status_code == 303, appended.get_data(as_text=True)
    assert Session.get(Round, round_id).settings["items"] == [
        {"key": "proposal:1", "label": "Borgeren i centrum"},
        {"key": "mod-til-at-proeve", "label": "Mod til at prøve"},
    ]


def test_an_answered_ranking_takes_no_new_item(client):
    dialogue = make_dialogue(language="en")
    round_id = _answered(
        dialogue, RoundKind.PRIORITISATION, ITEMS, {"method": "rank", "ranking": ["samarbejde"]}
    )
    log_in_admin(client, dialogue)
    edit_url = f"{base_url(dialogue)}/{round_id}/edit"
    page = client.get(edit_url)
    forged = prioritisation_form(
        csrf_from(page),
        setting_items="\n".join(i["label"] for i in ITEMS) + "\nNyt punkt",
        opens_at="2020-01-01T08:00",
        closes_at="2099-01-01T08:00",
    )
    response = client.post(edit_url, data=forged)
    assert response.status_code == 409
    assert [i["key"] for i in Session.get(Round, round_id).settings["items"]] == [
        i["key"] for i in ITEMS
    ]
