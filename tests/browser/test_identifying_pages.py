"""Identifying details in the browser: the participant's warning and the consultant's review.

The warning must work without JavaScript (a second, explicit "save it as it is"), and both
pages must pass axe like every other page.
"""

import pytest

from tests.browser.conftest import (
    accessibility_violations,
    demo_participant,
    log_in_by_mailed_link,
    screenshot,
    structure_problems,
)
from tests.browser.test_accessibility import DEMO_SLUG, log_in

pytestmark = pytest.mark.browser

PHONE = "22 33 44 55"


def round_id(live_server, position):
    ((found,),) = live_server.sql(
        "SELECT rounds.id FROM rounds JOIN dialogues ON dialogues.id = rounds.dialogue_id "
        "WHERE dialogues.slug = ? AND rounds.position = ?",
        DEMO_SLUG,
        position,
    )
    return found


def warn_then_save(page, live_server, participant: int, text):
    """Log in as one of the demo's participants (a link of their own) and meet the warning."""
    log_in_by_mailed_link(page, live_server, demo_participant(live_server, participant))
    page.goto(f"{live_server.url}/d/{DEMO_SLUG}/rounds/{round_id(live_server, 6)}/")
    page.locator("main form.form textarea").first.fill(text)
    page.locator("main form.form input[type=submit]").click()
    assert page.locator("#identifying-warning mark").first.inner_text() == PHONE
    assert page.locator("main form.form textarea").first.input_value() == text  # kept to edit


def test_the_warning_and_the_review_page_are_accessible(live_server, page):
    text = f"Jeg tager telefonen på {PHONE}, når nogen har brug for hjælp."
    warn_then_save(page, live_server, 10, text)
    problems = {"warning": accessibility_violations(page) + structure_problems(page)}
    screenshot(page, "identifying_warning")
    page.get_by_role("button", name="Gem teksten, som den er").click()
    assert page.locator(".flash-success", has_text="Dit bidrag er gemt").count() == 1

    page.context.clear_cookies()
    log_in(page, live_server, "consultant")
    page.goto(
        f"{live_server.url}/d/{DEMO_SLUG}/staff/rounds/{round_id(live_server, 1)}/identifying/"
    )
    assert page.locator("main mark").count() >= 1
    problems["review"] = accessibility_violations(page) + structure_problems(page)
    screenshot(page, "identifying_review")
    assert {name: found for name, found in problems.items() if found} == {}


def test_saving_anyway_works_without_javascript(live_server, browser):
    context = browser.new_context(locale="da-DK", java_script_enabled=False)
    page = context.new_page()
    try:
        text = f"Ring til mig på {PHONE} om vagtplanen."
        warn_then_save(page, live_server, 11, text)
        page.get_by_role("button", name="Gem teksten, som den er").click()
        assert page.locator(".flash-success", has_text="Dit bidrag er gemt").count() == 1
        ((stored,),) = live_server.sql(
            "SELECT count(*) FROM contributions WHERE body LIKE ?", f"%{PHONE} om vagtplanen%"
        )
        assert stored == 1
    finally:
        context.close()
