"""Answering structured rounds through the participant's page: forms per kind, errors, upsert."""

from __future__ import annotations

import time_machine
from sqlalchemy import func, select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, RoundKind
from tests.dialogue.participate.views.test_rounds import (
    closing_soon,
    form_fields,
    log_in_participant,
)
from tests.factories import make_dialogue, make_member, make_round
from tests.rounds.factories import ITEMS


def setup(client, kind, times=None, **settings):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue, kind, settings={"items": ITEMS, **settings}, **(times or {}))
    log_in_participant(client, make_member(dialogue))
    return f"/d/{dialogue.slug}/rounds/{round_.id}/", round_


def count(round_id):
    return Session.scalar(
        select(func.count()).select_from(Contribution).where(Contribution.round_id == round_id)
    )


def test_ranking_through_the_page_and_changing_it(client):
    url, round_ = setup(client, RoundKind.PRIORITISATION, top_k=2)
    round_id = round_.id
    page = client.get(url)
    assert "Place 2" in page.get_data(as_text=True)
    fields = form_fields(page)
    data = {**fields, "place_1": "samarbejde", "place_2": "arbejdsmiljo", "other": "Klima"}
    assert client.post(url + "contributions", data=data).status_code == 303
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert "Your answer is saved" in html
    assert '<option selected value="samarbejde">' in html or 'selected value="samarbejde"' in html
    data = {**form_fields(page), "place_1": "digitalisering", "place_2": ""}
    assert client.post(url + "contributions", data=data).status_code == 303
    (row,) = Session.scalars(select(Contribution).where(Contribution.round_id == round_id))
    assert row.data["ranking"] == ["digitalisering"]


def test_a_duplicate_in_the_ranking_is_refused_on_the_page(client):
    url, round_ = setup(client, RoundKind.PRIORITISATION, top_k=2)
    round_id = round_.id
    data = {**form_fields(client.get(url)), "place_1": "samarbejde", "place_2": "samarbejde"}
    response = client.post(url + "contributions", data=data)
    assert response.status_code == 422
    assert "more than once" in response.get_data(as_text=True)
    assert count(round_id) == 0


def test_points_that_do_not_add_up_are_refused_on_the_page(client):
    url, round_ = setup(client, RoundKind.PRIORITISATION, method="points")
    round_id = round_.id
    data = {**form_fields(client.get(url)), "item_arbejdsmiljo_points": "60"}
    response = client.post(url + "contributions", data=data)
    assert response.status_code == 422
    assert "add up to 60" in response.get_data(as_text=True)
    assert 'value="60"' in response.get_data(as_text=True)  # what was typed is kept
    assert count(round_id) == 0


def test_consultation_radios_and_a_late_answer(client):
    url, round_ = setup(client, RoundKind.CONSULTATION, closing_soon())
    round_id, closes_at = round_.id, round_.closes_at
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert 'type="radio" name="item_arbejdsmiljo_rating"' in html
    data = {**form_fields(page), "item_arbejdsmiljo_rating": "4", "item_arbejdsmiljo_comment": "Ok"}
    assert client.post(url + "contributions", data=data).status_code == 303
    late = {**form_fields(client.get(url)), "item_arbejdsmiljo_rating": "1"}
    with time_machine.travel(closes_at):
        response = client.post(url + "contributions", data=late)
    assert response.status_code == 409
    assert "closed" in response.get_data(as_text=True)
    (row,) = Session.scalars(select(Contribution).where(Contribution.round_id == round_id))
    assert (row.data, row.body) == ({"rating": 4}, "Ok")


def test_culture_texts_through_the_page(client):
    url, round_ = setup(client, RoundKind.CULTURE)
    round_id = round_.id
    data = {**form_fields(client.get(url)), "item_samarbejde_weakness": "Vi arbejder i siloer"}
    assert client.post(url + "contributions", data=data).status_code == 303
    assert "Vi arbejder i siloer" in client.get(url).get_data(as_text=True)
    assert count(round_id) == 1
