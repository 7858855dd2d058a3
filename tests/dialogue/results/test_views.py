"""Results pages: staff always, participants once published; charts with titles and tables."""

from __future__ import annotations

import re

from dialogue.core.db import Session
from dialogue.core.models import Contribution, Role, RoundKind
from tests.conftest import csrf_from
from tests.dialogue.participate.views.test_rounds import log_in_participant
from tests.factories import STAFF_PASSWORD, make_dialogue, make_member, make_round
from tests.logins import staff_login
from tests.rounds.factories import ITEMS, author_of, closed_times, participants


def rated_round(dialogue, published=False, **times):
    """A consultation with six ratings of "arbejdsmiljo", stored directly."""
    round_ = make_round(
        dialogue, RoundKind.CONSULTATION, settings={"items": ITEMS}, **(times or closed_times())
    )
    round_.is_published = published
    for member, rating in zip(participants(dialogue, 6), (4, 5, 4, 4, 3, 5), strict=True):
        Session.add(
            Contribution(
                round=round_,
                author=author_of(member),
                target="arbejdsmiljo",
                data={"rating": rating},
                body="Godt <b>forslag</b>" if rating == 3 else None,
                created_on=round_.opens_at.date(),
            )
        )
    Session.flush()
    return round_


def url(dialogue, round_):
    return f"/d/{dialogue.slug}/rounds/{round_.id}/results/"


def test_participant_sees_no_results_before_publication(client):
    dialogue = make_dialogue(language="en")
    round_ = rated_round(dialogue)
    participant = make_member(dialogue)
    log_in_participant(client, participant)
    assert client.get(url(dialogue, round_)).status_code == 404


def test_participant_sees_published_results_with_an_accessible_chart(client):
    dialogue = make_dialogue(language="en")
    round_ = rated_round(dialogue, published=True)
    participant = make_member(dialogue)
    log_in_participant(client, participant)
    response = client.get(url(dialogue, round_))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="[^"]*-title [^"]*-caption"', page)
    assert "<title id=" in page
    assert "<figcaption" in page
    assert "<table>" in page
    assert "Arbejdsmiljø" in page
    assert "Consensus" in page
    assert "style=" not in page
    assert "Godt" not in page  # texts are for the consultant only


def test_staff_see_unpublished_results_and_only_the_consultant_reads_texts(client):
    dialogue = make_dialogue(language="en")
    round_ = rated_round(dialogue)
    consultant = make_member(dialogue, Role.CONSULTANT)
    management = make_member(dialogue, Role.MANAGEMENT)
    staff_login(client, management.person.email, STAFF_PASSWORD)
    page = client.get(url(dialogue, round_)).get_data(as_text=True)
    assert "not published yet" in page
    assert "Godt" not in page
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/"))})
    staff_login(client, consultant.person.email, STAFF_PASSWORD)
    page = client.get(url(dialogue, round_)).get_data(as_text=True)
    assert "Godt &lt;b&gt;forslag&lt;/b&gt;" in page


def test_consultant_publishes_and_the_participant_then_sees_it(client):
    dialogue = make_dialogue(language="en")
    round_ = rated_round(dialogue)
    consultant = make_member(dialogue, Role.CONSULTANT)
    participant = make_member(dialogue)
    round_id, slug = round_.id, dialogue.slug
    participant_client = client.application.test_client()
    log_in_participant(participant_client, participant)
    staff_login(client, consultant.person.email, STAFF_PASSWORD)
    page = client.get(f"/d/{slug}/rounds/{round_id}/results/")
    response = client.post(
        f"/d/{slug}/rounds/{round_id}/results/publish", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 303
    assert participant_client.get(f"/d/{slug}/rounds/{round_id}/results/").status_code == 200


def test_management_may_not_publish(client):
    dialogue = make_dialogue(language="en")
    round_ = rated_round(dialogue)
    management = make_member(dialogue, Role.MANAGEMENT)
    round_id, slug = round_.id, dialogue.slug
    staff_login(client, management.person.email, STAFF_PASSWORD)
    page = client.get(f"/d/{slug}/rounds/{round_id}/results/")
    response = client.post(
        f"/d/{slug}/rounds/{round_id}/results/publish", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 403


def test_an_open_round_shows_the_published_results_of_the_round_before(client):
    dialogue = make_dialogue(language="en")
    rated_round(dialogue, published=True)
    culture = make_round(dialogue, RoundKind.CULTURE, settings={"items": ITEMS[:2]})
    participant = make_member(dialogue)
    log_in_participant(client, participant)
    page = client.get(f"/d/{dialogue.slug}/rounds/{culture.id}/").get_data(as_text=True)
    assert "What the group said in earlier rounds" in page
    assert "<svg" in page
    assert "A strength of our culture" in page


def test_small_rounds_show_no_numbers(client):
    dialogue = make_dialogue(language="en", min_group_size=10)
    round_ = rated_round(dialogue, published=True)
    participant = make_member(dialogue)
    log_in_participant(client, participant)
    page = client.get(url(dialogue, round_)).get_data(as_text=True)
    assert "Fewer than 10 people answered" in page
    assert "<svg" not in page
