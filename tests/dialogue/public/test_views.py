"""The public page of a dialogue: only what staff released, k-gated, cacheable, no reflection.

TARGETS R8 (only closed and published rounds, identical whatever the query string), A5 (no
group smaller than k) and A6 (no participant's text on a public page).
"""

from __future__ import annotations

import datetime as dt

import pytest

from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Role, RoundKind
from dialogue.core.models.proposal import Perspective, ProposalKind
from dialogue.synthesis.services import proposals as services
from tests.factories import (
    STAFF_PASSWORD,
    make_contribution,
    make_dialogue,
    make_member,
    make_round,
)
from tests.logins import staff_login
from tests.rounds.factories import answer, closed_times, make_item_round, participants

CANARY = "Kanariefuglen Ingeborg skrev dette"


@pytest.fixture
def public(db_session):
    """A public dialogue with released, unreleased and open rounds, and one final value.

    Released: a challenges round and a prioritisation round with seven rankings. Not released:
    a closed, unpublished round and an open one.
    """
    dialogue = make_dialogue(is_public=True, min_group_size=5, language="da")
    people = participants(dialogue, 7, department="Teknik", role_group="Medarbejder")
    people += participants(dialogue, 2, department="Kultur", role_group="Leder")
    released = make_round(dialogue, RoundKind.CHALLENGES, is_published=True, **closed_times())
    released.title = "Udfordringer i kommunen"
    for index, person in enumerate(people[:6]):
        make_contribution(released, person, f"{CANARY} {index}")
    ranked = make_item_round(dialogue, RoundKind.PRIORITISATION, method="rank", top_k=2)
    ranked.title = "Prioritering"
    for person in people[:7]:
        answer(ranked, person, ["digitalisering", "arbejdsmiljo"])
    ranked.opens_at, ranked.closes_at = closed_times().values()
    ranked.is_published = True
    hidden = make_round(dialogue, RoundKind.CHALLENGES, **closed_times())
    hidden.title = "Tredje runde"
    for index, person in enumerate(people[:6]):
        make_contribution(hidden, person, f"Skjult tekst {index}")
    make_round(dialogue, RoundKind.CHALLENGES).title = "Høring lige nu"
    value = services.create_proposal(
        dialogue,
        kind=ProposalKind.VALUE,
        title="Tillid",
        perspective=Perspective.EMPLOYEES,
        actor_id=None,
    )
    services.finalise_proposal(value, title="Tillid", text="", note="", actor_id=None)
    Session.flush()
    return dialogue


def page_of(client, dialogue, suffix=""):
    response = client.get(f"/p/{dialogue.slug}/{suffix}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_shows_the_timeline_and_only_released_results(client, public):
    html = page_of(client, public)
    for title in ("Udfordringer i kommunen", "Prioritering", "Tredje runde", "Høring lige nu"):
        assert title in html
    assert "Der blev skrevet 6 bidrag." in html  # the released challenges round
    assert "Borda" in html  # the released prioritisation round's chart and table
    assert 'role="img"' in html
    english = page_of(client, public, "en/")
    assert "not published yet" in english  # the closed, unpublished round
    assert html.count("<h1") == 1
    assert "Tillid" in html
    assert f"/p/{public.slug}/values/" in html


def test_no_participant_text_reaches_the_public_page(client, public):
    html = page_of(client, public)
    assert CANARY not in html
    assert "Skjult tekst" not in html


def test_participation_shows_shares_only_for_groups_of_at_least_k(client, public):
    html = page_of(client, public)
    # 6 of the 9 invited took part in the released round: with only 3 absent, fewer than k,
    # the exact count (and its share) would say too much of each invitee.
    assert "<dd>mere end 4</dd>" in html
    assert "67 %" not in html
    # The two people of "Kultur" are never shown as a group, nor derivable from the rest.
    assert ">Kultur<" not in html
    assert ">Teknik<" not in html


def test_a_round_below_k_shows_no_numbers(client, db_session):
    dialogue = make_dialogue(is_public=True, min_group_size=5)
    people = participants(dialogue, 9)
    round_ = make_round(dialogue, RoundKind.CHALLENGES, is_published=True, **closed_times())
    for person in people[:3]:
        make_contribution(round_, person, "Tekst")
    html = page_of(client, dialogue)
    assert "færre end 5" in html.lower()
    assert "3 bidrag" not in html


def test_not_public_or_unknown_is_not_found(client, db_session):
    private = make_dialogue(is_public=False)
    for path in (f"/p/{private.slug}/", f"/p/{private.slug}/en/", "/p/no-such-dialogue/"):
        assert client.get(path).status_code == 404


def test_the_response_is_identical_whatever_the_query_string(client, public):
    plain = client.get(f"/p/{public.slug}/")
    for query in (
        "?q=%3Cscript%3Ealert(1)%3C/script%3E",
        "?lang=en&language=en",
        "?page=2&round=1&next=https://evil.example/",
        "?x=" + "y" * 500,
    ):
        other = client.get(f"/p/{public.slug}/{query}")
        assert other.status_code == 200
        assert other.get_data() == plain.get_data(), query
        assert "evil.example" not in other.get_data(as_text=True)


def test_anonymous_visitors_get_a_cacheable_page_without_a_cookie(client, public):
    response = client.get(f"/p/{public.slug}/")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert "Set-Cookie" not in response.headers
    assert 'name="csrf_token"' not in response.get_data(as_text=True)
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    for path in ("values/", "en/values/"):
        assert client.get(f"/p/{public.slug}/{path}").headers["Cache-Control"].startswith("public")


def test_a_logged_in_person_gets_no_store(client, public):
    admin = make_member(public, Role.ADMIN)
    staff_login(client, admin.person.email, STAFF_PASSWORD)
    response = client.get(f"/p/{public.slug}/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_the_language_follows_the_dialogue_or_the_path(client, public):
    danish = page_of(client, public)
    assert '<html lang="da">' in danish
    assert f'href="/p/{public.slug}/en/"' in danish
    english = page_of(client, public, "en/")
    assert '<html lang="en">' in english
    assert "6 contributions were written." in english
    # Links between public pages keep the chosen language.
    assert f"/p/{public.slug}/en/values/" in english
    Session.get(Dialogue, public.id).language = "en"
    assert '<html lang="en">' in page_of(client, public)


def test_numbers_follow_the_locale(client, db_session):
    dialogue = make_dialogue(is_public=True, min_group_size=5)
    people = participants(dialogue, 1234, department="Stor afdeling")
    round_ = make_round(dialogue, RoundKind.CHALLENGES, is_published=True, **closed_times())
    for person in people[:5]:
        make_contribution(round_, person, "Tekst")
    assert "1.234" in page_of(client, dialogue)
    assert "1,234" in page_of(client, dialogue, "en/")


def test_the_front_page_and_the_dialogue_home_link_to_it(client, public):
    assert f'href="/p/{public.slug}/"' in client.get("/").get_data(as_text=True)
    member = make_member(public)
    from tests.dialogue.core.test_access import log_in  # noqa: PLC0415 - reuse the link login

    class World:
        members = {"participant": member}

    log_in(client, World, "participant")
    home = client.get(f"/d/{public.slug}/").get_data(as_text=True)
    assert f'href="/p/{public.slug}/"' in home


def test_an_upcoming_round_shows_its_dates_only(client, db_session):
    dialogue = make_dialogue(is_public=True)
    now = dt.datetime.now(dt.UTC)
    make_round(
        dialogue,
        RoundKind.CHALLENGES,
        opens_at=now + dt.timedelta(days=2),
        closes_at=now + dt.timedelta(days=9),
    )
    html = page_of(client, dialogue, "en/")
    assert "Upcoming" in html
    assert "once the round has closed" in html
