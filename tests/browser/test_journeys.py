"""Each role's way to its tasks in the demo, in Danish, as issue #20 found them blocked.

The admin finds participants, rounds, mail and accounts from the dialogue's page and searches
the accounts; the consultant reaches the workbench from the dialogue's page and the themes from
the coverage page, in plain words; a participant with a used link finds the way to a new one;
"my input" follows a ranking to the value it became and shows the consultant's decision; a
results page opens with a plain summary and keeps the statistics folded.
"""

from __future__ import annotations

import re

import pytest

from dialogue.core.anonymity import author_pseudonym
from tests.browser.conftest import (
    accessibility_violations,
    complete_staff_login,
    log_in_by_mailed_link,
    structure_problems,
)

pytestmark = pytest.mark.browser

SLUG = "vaerdier"


def traced_participant(live_server) -> tuple[str, str]:
    """A demo participant who ranked a final value and wrote into a theme decided on, and why.

    The ranking holds "Samarbejde på tværs" (a final value of the demo); a challenge of theirs
    sits in a theme the consultant marked (follow-up, addressed elsewhere) with a reason.

    Which texts form which theme depends on the server's own anonymity secret, so the test
    finds such a person as the operator could, with that secret from the instance folder.
    """
    secret = (live_server.instance / "anon_secret").read_text().strip()
    (dialogue_id,) = live_server.sql("SELECT id FROM dialogues WHERE slug = ?", SLUG)[0]
    decided = dict(
        live_server.sql(
            "SELECT contributions.author, coverage_marks.reason FROM coverage_marks"
            " JOIN theme_members ON theme_members.theme_id = coverage_marks.theme_id"
            " JOIN contributions ON contributions.id = theme_members.contribution_id"
            " WHERE coverage_marks.dialogue_id = ?",
            dialogue_id,
        )
    )
    ranked = {
        author
        for (author,) in live_server.sql(
            "SELECT contributions.author FROM contributions JOIN rounds"
            " ON rounds.id = contributions.round_id"
            " WHERE rounds.kind = 'prioritisation' AND contributions.data LIKE ?",
            '%"samarbejde"%',
        )
    }
    people = live_server.sql(
        "SELECT people.id, people.email FROM people JOIN memberships"
        " ON memberships.person_id = people.id WHERE memberships.dialogue_id = ?"
        " AND lower(memberships.role) = 'participant' ORDER BY people.id",
        dialogue_id,
    )
    for person_id, email in people:
        pseudonym = author_pseudonym(secret, dialogue_id, person_id)
        if pseudonym in ranked and pseudonym in decided:
            return email, decided[pseudonym]
    raise AssertionError("the demo has no participant with both a decided theme and a ranking")


def test_the_admin_finds_every_task_and_searches_the_accounts(live_server, page):
    complete_staff_login(page, live_server, "admin@demo.example")
    page.goto(f"{live_server.url}/d/{SLUG}/")
    tasks = page.locator("section", has=page.get_by_role("heading", name="Administration"))
    for name in ("Deltagere", "Runder", "Mails", "Konti"):
        assert tasks.get_by_role("link", name=name, exact=True).is_visible()
    tasks.get_by_role("link", name="Mails").click()
    assert page.url.endswith("/admin/participants#invite-heading")
    assert page.get_by_role("heading", name="Invitationer").is_visible()

    page.goto(f"{live_server.url}/d/{SLUG}/")
    tasks.get_by_role("link", name="Konti").click()
    page.get_by_label("Søg på navn, e-mailadresse eller afdeling").fill("jobcenter")
    page.get_by_role("button", name="Søg").click()
    assert "q=jobcenter" in page.url
    [(expected,)] = live_server.sql(
        "SELECT count(*) FROM memberships WHERE lower(role) = 'participant'"
        " AND department = 'Jobcenter'"
    )
    assert page.get_by_text(f"{expected} deltagere passer til “jobcenter”.").is_visible()
    participants = page.locator("#participants-heading ~ table")
    assert participants.locator("th").nth(2).inner_text() == "Afdeling"
    departments = participants.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert len(departments) == min(expected, 50)
    assert set(departments) == {"Jobcenter"}
    assert accessibility_violations(page) + structure_problems(page) == []


def test_the_consultant_reaches_the_workbench_and_themes_in_plain_words(live_server, page):
    complete_staff_login(page, live_server, "konsulent@demo.example")
    page.goto(f"{live_server.url}/d/{SLUG}/")
    challenges = page.locator("li.timeline-item", has_text="Udfordringer").first
    challenges.get_by_role("link", name="Temaer på arbejdsbordet").click()
    assert re.search(r"/workbench/rounds/\d+/$", page.url)
    main = page.locator("main")
    assert "TF-IDF" not in main.inner_text()
    assert not page.get_by_label("Variantnummer").is_visible()
    main.get_by_text("Avanceret").click()
    assert page.get_by_label("Variantnummer").is_visible()
    assert "seed" not in main.inner_text().lower()

    page.goto(f"{live_server.url}/d/{SLUG}/coverage")
    theme = page.locator("main .contribution-list h3 a").first
    name = theme.inner_text()
    theme.click()
    assert "/workbench/rounds/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == name


def test_a_used_link_leads_to_a_new_one(live_server, page):
    page.goto(f"{live_server.url}/link/no-longer-valid")
    assert page.get_by_role("heading", name="Linket kan ikke bruges").is_visible()
    page.get_by_role("link", name="Få et nyt link").click()
    assert page.url.endswith("/login/link")
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Konto").get_by_role(
        "link", name="Log ind som deltager"
    ).click()
    assert page.url.endswith("/login/link")


def test_my_input_follows_a_ranking_to_its_value_and_shows_the_decision(live_server, page):
    address, reason = traced_participant(live_server)
    log_in_by_mailed_link(page, live_server, address)
    page.get_by_role("link", name="Mine input").click()
    ranking = page.locator("section", has=page.get_by_role("heading", name="Prioritering"))
    item = ranking.locator("ul.path > li", has_text="Om “Samarbejde på tværs”:")
    assert "det blev til den endelige værdi" in item.inner_text()
    assert item.get_by_role("link", name="“Samarbejde på tværs”").is_visible()
    assert "Ikke placeret i et tema" not in ranking.inner_text()
    assert "har ikke nået en endelig værdi" not in ranking.inner_text()
    assert page.locator("li.decision", has_text=reason).first.is_visible()


def test_a_results_page_opens_with_a_summary_and_folds_the_statistics(live_server, page):
    page.goto(f"{live_server.url}/p/{SLUG}/")
    summary = page.locator("main p.lead", has_text="Samlet set kom").first
    assert re.search(
        r"personer svarede\. Samlet set kom “[^”]+” først, foran “[^”]+”\. Gruppen",
        summary.inner_text(),
    )
    statistics = page.locator("main details.statistics").first
    assert not statistics.get_by_text("Kendalls W", exact=False).is_visible()
    statistics.locator("summary").click()
    assert statistics.get_by_text("Kendalls W", exact=False).is_visible()
    assert not page.get_by_text("SHA-256", exact=False).first.is_visible()
