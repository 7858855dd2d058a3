"""The workbench through the browser's eyes: pages, forms, messages and who may use them."""

import pytest
from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, ModerationState, Role, Theme
from rounds.theme_run.reading import list_active_themes
from tests.conftest import csrf_from
from tests.dialogue.workbench.corpus import IT, STRESS, make_analysed_world, theme_of
from tests.factories import STAFF_PASSWORD, make_member
from tests.logins import staff_login


@pytest.fixture
def world(db_session):
    return make_analysed_world(language="en")


def log_in(client, membership):
    assert staff_login(client, membership.person.email, STAFF_PASSWORD).status_code == 302


def url(dialogue, round_, tail=""):
    return f"/d/{dialogue.slug}/workbench/rounds/{round_.id}/{tail}"


def post(client, page_url, action_url, **data):
    token = csrf_from(client.get(page_url))
    return client.post(action_url, data={"csrf_token": token, **data}, follow_redirects=True)


def test_consultant_runs_the_analysis_and_sees_themes_quotes_and_changes(client, world):
    dialogue, round_, consultant, contributions = world
    log_in(client, consultant)
    page = url(dialogue, round_)
    assert "not been analysed" in client.get(page).get_data(as_text=True)

    html = post(client, page, url(dialogue, round_, "run"), seed="0").get_data(as_text=True)

    assert "The analysis found 3 themes." in html
    assert "stress og travlhed" in html
    assert "IT-systemerne" in html
    assert contributions[STRESS[0]].body.split(",")[0] in html or "stress" in html
    assert "new" in html  # the diff of the run
    assert contributions[0].author not in html


def test_theme_page_lists_searches_and_renames(client, world):
    dialogue, round_, consultant, contributions = world
    log_in(client, consultant)
    post(client, url(dialogue, round_), url(dialogue, round_, "run"), seed="0")
    theme = theme_of(contributions[IT[0]].id, list_active_themes(round_))
    theme_url = url(dialogue, round_, f"themes/{theme.id}")

    html = client.get(theme_url + "?q=adgangskode").get_data(as_text=True)
    assert "1 contribution" in html
    assert "adgangskode" in html

    html = post(
        client, theme_url, theme_url + "/edit", label="Ustabil IT", description="Systemer"
    ).get_data(as_text=True)
    assert "The theme was saved." in html
    assert "Ustabil IT" in html


def test_hide_needs_a_reason_and_then_hides(client, world):
    dialogue, round_, consultant, contributions = world
    log_in(client, consultant)
    target = contributions[0]
    unassigned = url(dialogue, round_, "unassigned")
    hide_url = url(dialogue, round_, f"contributions/{target.id}/hide")

    html = post(client, unassigned, hide_url).get_data(as_text=True)
    assert "Reason" in html
    assert Session.get(Contribution, target.id).moderation is ModerationState.VISIBLE

    html = post(client, unassigned, hide_url, reason="identifying").get_data(as_text=True)
    assert "The contribution was hidden." in html
    Session.expire_all()
    assert Session.get(Contribution, target.id).moderation is ModerationState.HIDDEN


def test_refused_edits_show_a_message_and_change_nothing(client, world):
    dialogue, round_, consultant, _ = world
    log_in(client, consultant)
    page = url(dialogue, round_)
    html = post(client, page, url(dialogue, round_, "undo")).get_data(as_text=True)
    assert "There is nothing to undo." in html
    html = post(client, page, url(dialogue, round_, "run"), n_themes="0").get_data(as_text=True)
    assert "Number of themes" in html
    assert Session.scalar(select(Theme).where(Theme.round_id == round_.id)) is None


def test_empty_round_run_says_so(client, world):
    dialogue, _, consultant, _ = world
    from tests.factories import make_round

    empty = make_round(dialogue)
    log_in(client, consultant)
    response = post(client, url(dialogue, empty), url(dialogue, empty, "run"))
    assert response.status_code == 200
    assert "no texts to analyse" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.MANAGEMENT, Role.ADMIN])
def test_other_staff_may_not_open_the_workbench(client, world, role):
    """Participants and outsiders are covered by the policy table in test_access.py."""
    dialogue, round_, _, _ = world
    log_in(client, make_member(dialogue, role))
    assert client.get(url(dialogue, round_)).status_code == 403
    assert client.get(f"/d/{dialogue.slug}/workbench/").status_code == 403
