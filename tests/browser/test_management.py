"""Management's journeys in the browser: send a draft for consultation, make a draft final, reopen.

A dialogue of its own on the shared live server, made by the operator's commands as in
``test_process``, so the demo's proposals stay as the other tests expect them. The admin and
management each have their own browser context (the one browser of the session).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import (
    accessibility_violations,
    complete_staff_login,
    screenshot,
    structure_problems,
)

pytestmark = pytest.mark.browser

SLUG = "ledelse-test"
ADMIN = "facilitator@ledelse.example"
MANAGEMENT = "direktion@ledelse.example"
ZONE = ZoneInfo("Europe/Copenhagen")


def login_link(output: str) -> str:
    return next(word for word in output.split() if "/link/" in word)


def submit(page, form: str) -> None:
    with page.expect_navigation():
        page.locator(f"{form} [type=submit]").last.click()


def press(page, button: str) -> None:
    """Press a button and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def checked(page) -> None:
    assert structure_problems(page) == [], page.url
    assert accessibility_violations(page) == [], page.url


@pytest.fixture(scope="module")
def staff(live_server, browser):
    """The dialogue (public, its five reference rounds), its admin and management, logged in."""
    tomorrow = (dt.datetime.now(ZONE) + dt.timedelta(days=1)).date().isoformat()
    created = live_server.run(
        "create-dialogue",
        SLUG,
        "--title",
        "Ledelsens værdier",
        "--admin-email",
        ADMIN,
        "--public",
        "--start",
        tomorrow,
    )
    added = live_server.run("add-staff", SLUG, MANAGEMENT, "--role", "management")
    pages = {}
    contexts = []
    for role, address, link in (
        ("admin", ADMIN, login_link(created)),
        ("management", MANAGEMENT, login_link(added)),
    ):
        context = browser.new_context(locale="da-DK")
        contexts.append(context)
        pages[role] = context.new_page()
        complete_staff_login(pages[role], live_server, address, link=link)
    yield pages
    for context in contexts:
        context.close()


def draft(page, server, title: str) -> None:
    """Management writes a new draft value and lands on its page."""
    page.goto(f"{server.url}/d/{SLUG}/proposals/")
    page.get_by_role("link", name="Skriv et forslag").click()
    page.get_by_label("Slags").select_option(label="Værdi")
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Tekst").fill("Vi prøver nyt og lærer af det.")
    submit(page, "main form")
    assert page.get_by_role("heading", level=1).inner_text() == title


def test_a_draft_goes_out_only_into_a_round_that_can_take_it(live_server, staff):
    admin, management = staff["admin"], staff["management"]
    draft(management, live_server, "Tillid først")
    publish = management.locator("main form[action$='/publish']")
    offered = publish.get_by_label("Runde").locator("option").all_inner_texts()
    assert offered == ["4. Høring om forslaget til værdier"]  # still to come, no answers

    # The admin closes the consultation round early: no round can take the draft any more.
    admin.goto(f"{live_server.url}/d/{SLUG}/manage/rounds/")
    admin.locator("main table tbody tr").nth(3).locator("a[href$='/edit']").click()
    before = dt.datetime.now(ZONE) - dt.timedelta(days=1)
    admin.fill("#opens_at", (before - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    admin.fill("#closes_at", before.strftime("%Y-%m-%dT%H:%M"))
    submit(admin, "main form:has(#opens_at)")
    assert "/edit" not in admin.url, admin.inner_text("main")

    management.reload()
    main = management.inner_text("main")
    assert management.locator("main form[action$='/publish']").count() == 0
    assert "Ingen høringsrunde kan tage imod udkastet" in main
    assert f"Bed dialogens administrator ({ADMIN})" in main
    checked(management)

    # The admin adds a consultation round, as the page told management to ask.
    admin.goto(f"{live_server.url}/d/{SLUG}/manage/rounds/new?kind=consultation")
    admin.get_by_label("Titel").fill("Ekstra høring")
    submit(admin, "main form:has(#opens_at)")
    assert "Ekstra høring" in admin.inner_text("main")

    management.reload()
    publish = management.locator("main form[action$='/publish']")
    assert publish.get_by_label("Runde").locator("option").all_inner_texts() == ["6. Ekstra høring"]
    submit(management, "main form[action$='/publish']")
    assert management.locator(".flash-success").count() == 1, management.inner_text("main")
    assert "I høring" in management.inner_text("main")
    screenshot(management, "management_sent_for_consultation")


def test_making_a_draft_final_is_confirmed_shown_as_not_consulted_and_can_be_undone(
    live_server, staff
):
    management = staff["management"]
    title = "Mod til at prøve"
    draft(management, live_server, title)
    proposal_url = management.url
    # The proposal page has no one-click button: it leads to a page that says what happens.
    assert management.locator("main form[action$='/finalise']").count() == 0
    with management.expect_navigation():
        management.get_by_role("link", name="Gør endelig …").click()
    main = management.inner_text("main")
    assert f"Gør “{title}” endelig?" in main
    assert "Dette udkast blev ikke sendt i høring." in main
    checked(management)
    screenshot(management, "management_confirm_final")
    management.get_by_label("Hvad er ændret efter høringen").fill("Besluttet uden høring.")
    press(management, "Ja, gør den endelig")
    assert management.locator(".flash-success").count() == 1, management.inner_text("main")
    assert "Endelig · ikke sendt i høring" in management.inner_text("main")

    # Readers see the same: on the list of final values and on the value's own page.
    management.goto(f"{live_server.url}/p/{SLUG}/values/")
    listed = management.locator("main li", has_text=title).inner_text()
    assert "ikke sendt i høring" in listed
    management.get_by_role("link", name=title, exact=True).click()
    assert "ikke sendt i høring" in management.inner_text("main")

    # Reopened with a reason: a draft again, the final version kept, the step audited.
    management.goto(proposal_url)
    with management.expect_navigation():
        management.get_by_role("link", name="Genåbn …").click()
    checked(management)
    press(management, "Ja, genåbn det")
    assert management.locator(".error").count() >= 1  # a reason is required
    assert management.locator("#reopen-note").get_attribute("aria-invalid") == "true"
    management.get_by_label("Hvorfor det genåbnes").fill("Den skal i høring alligevel.")
    press(management, "Ja, genåbn det")
    main = management.inner_text("main")
    assert management.locator(".flash-success").count() == 1, main
    assert "Udkast" in management.locator("main p.muted").first.inner_text()
    versions = management.locator("main ol > li").all_inner_texts()
    assert [v.split("(")[1].split(",")[0] for v in versions] == ["Udkast", "Endelig", "Udkast"]
    assert "Den skal i høring alligevel." in versions[-1]
    assert live_server.sql(
        "SELECT count(*) FROM audit_events WHERE action = 'proposal.reopen'"
    ) == [(1,)]
    management.goto(f"{live_server.url}/p/{SLUG}/values/")
    assert title not in management.inner_text("main")
