"""The Delphi loop in a real browser, in Danish: the declared rule before answering, a reason."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.browser.conftest import (
    accessibility_violations,
    demo_participant,
    log_in_by_mailed_link,
    screenshot,
    structure_problems,
)

pytestmark = pytest.mark.browser

DEMO_SLUG = "vaerdier"
#: A demo participant no other browser test logs in (links are single-use).
PARTICIPANT = 17
REASON = "Vi stoler på hinanden, også når det er svært."


def _stored(moment: dt.datetime) -> str:
    """An instant as the app stores it in SQLite: naive UTC."""
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")


@pytest.fixture
def rating_round(live_server):
    """A consultation of the demo dialogue, open now, declaring at most two rounds.

    Removed again afterwards: the other browser tests expect the demo's five rounds.
    """
    [(dialogue_id,)] = live_server.sql("SELECT id FROM dialogues WHERE slug = ?", DEMO_SLUG)
    [(last,)] = live_server.sql(
        "SELECT max(position) FROM rounds WHERE dialogue_id = ?", dialogue_id
    )
    now = dt.datetime.now(dt.UTC)
    settings = {
        "items": [{"key": "tillid", "label": "Tillid"}, {"key": "mod", "label": "Mod"}],
        "stop_after": 2,
    }
    live_server.sql(
        "INSERT INTO rounds (dialogue_id, position, kind, title, prompt, opens_at, closes_at,"
        " settings, is_published) VALUES (?, ?, 'consultation', 'Værdierne vurderet', '', ?, ?,"
        " ?, 0)",
        dialogue_id,
        last + 1,
        _stored(now - dt.timedelta(hours=1)),
        _stored(now + dt.timedelta(days=1)),
        json.dumps(settings),
    )
    [(round_id,)] = live_server.sql(
        "SELECT id FROM rounds WHERE dialogue_id = ? AND position = ?", dialogue_id, last + 1
    )
    yield round_id
    live_server.sql("DELETE FROM contributions WHERE round_id = ?", round_id)
    live_server.sql("DELETE FROM rounds WHERE id = ?", round_id)


def test_a_participant_reads_the_rule_and_gives_a_reason(live_server, page, rating_round):
    log_in_by_mailed_link(page, live_server, demo_participant(live_server, PARTICIPANT))
    page.goto(f"{live_server.url}/d/{DEMO_SLUG}/rounds/{rating_round}/")

    rule = page.locator("section[aria-labelledby=rule-heading]")
    assert rule.get_by_role("heading", name="Hvornår er gruppen enig?").is_visible()
    words = rule.inner_text()
    assert "mindst 70 % svarer 4 eller 5" in words
    assert "Vi stopper efter højst 2 runder" in words
    assert "Dette er runde 1 af højst 2." in words
    first_rating = page.locator("fieldset", has_text="Tillid").get_by_label("4 – Enig")
    assert rule.bounding_box()["y"] < first_rating.bounding_box()["y"]  # read before answering

    first_rating.check()
    reason = page.get_by_label("Hvorfor? Din begrundelse for “Tillid” (valgfri)")
    assert "uden dit navn" in page.locator(f"#{reason.get_attribute('id')}-hint").inner_text()
    reason.fill(REASON)
    with page.expect_navigation():
        page.get_by_role("button", name="Gem mit svar").click()

    assert page.locator(".flash-success").count() >= 1
    assert page.get_by_label("Hvorfor? Din begrundelse for “Tillid” (valgfri)").input_value() == (
        REASON
    )
    [(data, day)] = live_server.sql(
        "SELECT data, created_on FROM contributions WHERE round_id = ? AND body = ?",
        rating_round,
        REASON,
    )
    assert json.loads(data) == {"aspect": "reason"}
    assert len(day) == len("2026-12-07")  # the day only, never the time
    assert accessibility_violations(page) + structure_problems(page) == []
    screenshot(page, "delphi_rule_and_reason")
