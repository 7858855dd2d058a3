"""Bad input in a real browser: nothing the participant typed is lost or stored twice.

Each test logs in a different demo participant (links are single-use) and answers the demo's
open action round, whose first text field is "what I will do" for the first value.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import demo_participant, log_in_by_mailed_link, screenshot

pytestmark = pytest.mark.browser


def open_action_round(page, live_server, index: int) -> str:
    """Log in as a demo participant and open the open round; return their e-mail address."""
    address = demo_participant(live_server, index)
    log_in_by_mailed_link(page, live_server, address)
    page.locator("ol.timeline a").last.click()
    assert page.locator("form textarea").count() > 0
    return address


def stored(live_server, text: str) -> int:
    return live_server.sql("SELECT count(*) FROM contributions WHERE body = ?", text)[0][0]


def save_button(page):
    return page.locator("main form button[type=submit], main form input[type=submit]").last


def save(page):
    """Press save and wait for the answer page: a busy server may be slow with it."""
    with page.expect_navigation():
        save_button(page).click()


def test_submitting_with_javascript_off_works(live_server, browser):
    context = browser.new_context(locale="da-DK", java_script_enabled=False)
    page = context.new_page()
    try:
        open_action_round(page, live_server, 2)
        text = "Uden JavaScript: jeg tager initiativ til et fælles morgenmøde."
        page.locator("form textarea").first.fill(text)
        save(page)
        assert page.locator(".flash-success").count() >= 1
        assert stored(live_server, text) == 1
    finally:
        context.close()


def test_a_double_click_stores_one_row(live_server, page):
    open_action_round(page, live_server, 3)
    text = "Dobbeltklik: jeg deler min viden med nye kolleger."
    page.locator("form textarea").first.fill(text)
    save_button(page).dblclick()
    page.wait_for_load_state("networkidle")
    assert stored(live_server, text) == 1


def test_the_back_button_and_a_resubmit_store_no_duplicate(live_server, page):
    open_action_round(page, live_server, 4)
    text = "Tilbage-knappen: vi evaluerer hvert kvartal."
    page.locator("form textarea").first.fill(text)
    save(page)
    page.wait_for_load_state("networkidle")
    page.go_back()
    if page.locator("form textarea").count():  # the browser showed the form again
        if not page.locator("form textarea").first.input_value():
            page.locator("form textarea").first.fill(text)
        save(page)
        page.wait_for_load_state("networkidle")
    assert stored(live_server, text) == 1


def test_an_expired_session_keeps_the_text_until_the_next_login(live_server, page):
    address = open_action_round(page, live_server, 5)
    round_url = page.url
    text = "Udløbet session: jeg vil spørge borgerne, før vi beslutter."
    page.locator("form textarea").first.fill(text)
    live_server.end_all_sessions()
    save(page)
    assert "/login/link" in page.url
    assert page.locator(".flash").count() == 1
    screenshot(page, "expired_session_notice")
    assert stored(live_server, text) == 0
    log_in_by_mailed_link(page, live_server, address)
    page.goto(round_url)
    assert page.locator("form textarea").first.input_value() == text
    save(page)
    assert page.locator(".flash-success").count() >= 1
    assert stored(live_server, text) == 1
