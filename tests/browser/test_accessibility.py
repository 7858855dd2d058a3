"""Every page of every role in the demo dialogue: no serious or critical WCAG 2.1 A/AA issue.

Each role logs in and follows every link of its dialogue two levels deep, running axe-core on
each page it reaches.
"""

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import accessibility_violations, screenshot

pytestmark = pytest.mark.browser

STAFF_PASSWORD = "demo-dialog-2026"
STAFF = {
    "consultant": "konsulent@demo.example",
    "management": "direktion@demo.example",
    "admin": "admin@demo.example",
}
MAX_PAGES = 40


def log_in(page, live_server, role):
    if role == "participant":
        page.goto(live_server.participant_links()[1])
        page.get_by_role("button", name="Fortsæt til dialogen").click()
        return
    page.goto(live_server.url + "/login")
    page.fill("#email", STAFF[role])
    page.fill("#password", STAFF_PASSWORD)
    page.get_by_role("button", name="Log ind").click()


def same_site_links(page, live_server):
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.href)")
    wanted = []
    for href in hrefs:
        parts = urlsplit(href)
        if href.startswith(live_server.url) and "/link/" not in parts.path:
            wanted.append(parts._replace(fragment="").geturl())
    return wanted


@pytest.mark.parametrize("role", ["participant", "consultant", "management", "admin"])
def test_every_page_of_a_role_is_accessible(live_server, page, role):
    log_in(page, live_server, role)
    start = page.url
    queue, seen, problems = [start], set(), {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        page.goto(url)
        violations = accessibility_violations(page)
        if violations:
            problems[urlsplit(url).path] = violations
        if url == start or urlsplit(url).path.count("/") <= 4:
            queue.extend(link for link in same_site_links(page, live_server) if link not in seen)
    screenshot(page, f"{role}_last_page")
    assert len(seen) > 3
    assert problems == {}
