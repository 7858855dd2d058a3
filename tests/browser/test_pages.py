"""Pages as a person with a browser meets them: accessible, and usable with the keyboard."""

import pytest

from tests.browser.conftest import accessibility_violations, screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/", "/login", "/accessibility", "/no-such-page"])
def test_public_pages_have_no_serious_accessibility_violations(live_server, page, path):
    page.goto(live_server.url + path)
    assert accessibility_violations(page) == []
    screenshot(page, "public" + path.replace("/", "_"))


def test_the_first_tab_reaches_the_skip_link(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"


def test_a_participant_logs_in_by_link_and_contributes(live_server, page):
    link = live_server.participant_links()[0]
    page.goto(link)
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Fortsæt til dialogen").click()
    assert "/link/" not in page.url
    page.get_by_role("link", name="Udfordringer").click()
    assert accessibility_violations(page) == []
    screenshot(page, "participant_round")
