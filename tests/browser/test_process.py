"""The reference process in a new dialogue, as its people meet it in the browser.

An operator creates the dialogue on the command line; the admin imports participants on the
participants page, sends the invitations and runs the rounds' schedule through "Manage
rounds" (closing a round early is editing its closing time: ``rounds.lifecycle`` allows a
closing time in the past). Participants log in with the links from the outbox and contribute;
the public page shows what was published. The prioritisation round is answered with the
keyboard alone.
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import complete_staff_login, screenshot, structure_problems

pytestmark = pytest.mark.browser

SLUG = "proces-test"
ZONE = ZoneInfo("Europe/Copenhagen")
PEOPLE = [(f"deltager{n}@proces.example", f"Deltager {n}") for n in range(1, 6)]
CONTINUE = "Fortsæt til dialogen"
CHALLENGES = [
    "Vi har for lidt tid til kerneopgaven, fordi dokumentationen fylder.",
    "Digitaliseringen går for langsomt i de borgernære funktioner.",
    "Samarbejdet på tværs af afdelinger er svagt.",
    "Rekruttering af fagfolk er svær i hele kommunen.",
    "Borgerne oplever lange sagsbehandlingstider.",
]
ITEMS = ["Tid til kerneopgaven", "Digitalisering", "Samarbejde på tværs"]


def local(moment: dt.datetime) -> str:
    """A datetime-local value in the dialogue's time zone."""
    return moment.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")


def submit(page, form="main form"):
    """Press a form's button and wait for the answer page, which a busy server may be slow with."""
    with page.expect_navigation():
        page.locator(f"{form} [type=submit]").last.click()


def set_round(page, live_server, position: int, *, opens=None, closes=None, items=None):
    """Edit a round under "Manage rounds"."""
    page.goto(f"{live_server.url}/d/{SLUG}/manage/rounds/")
    page.locator("main table tbody tr").nth(position - 1).locator("a[href$='/edit']").click()
    if opens is not None:
        page.fill("#opens_at", local(opens))
    if closes is not None:
        page.fill("#closes_at", local(closes))
    if items is not None:
        page.fill("#setting_items", "\n".join(items))
    submit(page, "main form:has(#opens_at)")
    assert "/edit" not in page.url, page.inner_text("main")


def publish(page, live_server, round_id: int):
    page.goto(f"{live_server.url}/d/{SLUG}/rounds/{round_id}/results/")
    submit(page, "main form[action$='/publish']")
    assert page.locator(".flash-success").count() == 1


@pytest.fixture(scope="module")
def process(live_server, browser, tmp_path_factory):
    """The dialogue created, participants imported and invited: a context per person."""
    yesterday = (dt.datetime.now(ZONE) - dt.timedelta(days=1)).date().isoformat()
    created = live_server.run(
        "create-dialogue",
        SLUG,
        "--title",
        "Proces i browseren",
        "--admin-email",
        "facilitator@proces.example",
        "--public",
        "--start",
        yesterday,
    )
    admin_link = next(word for word in created.split() if "/link/" in word)
    contexts = []

    def new_page():
        context = browser.new_context(locale="da-DK")
        contexts.append(context)
        return context.new_page()

    admin = new_page()
    complete_staff_login(admin, live_server, "facilitator@proces.example", link=admin_link)
    # The participants page: import a CSV file, then send the invitations.
    csv = tmp_path_factory.mktemp("import") / "deltagere.csv"
    csv.write_text(
        "e-mail;navn;afdeling;rollegruppe\n"
        + "".join(f"{email};{name};Teknik;Medarbejder\n" for email, name in PEOPLE),
        encoding="utf-8",
    )
    admin.goto(f"{live_server.url}/d/{SLUG}/admin/")
    if "/admin/" in admin.url and admin.locator("input[type=file]").count() == 0:
        admin.goto(f"{live_server.url}/d/{SLUG}/admin/participants")
    admin.set_input_files("input[type=file]", str(csv))
    submit(admin, "main form[enctype='multipart/form-data']")
    assert admin.locator(".flash-success").count() >= 1, admin.inner_text("main")
    submit(admin, "main form[action$='/invite']")
    screenshot(admin, "process_participants")
    people = []
    for email, _name in PEOPLE:
        (link,) = live_server.mailed_links(email)
        page = new_page()
        page.goto(link)
        page.get_by_role("button", name=CONTINUE).click()
        people.append(page)
    rounds = dict(
        live_server.sql(
            "SELECT rounds.position, rounds.id FROM rounds JOIN dialogues"
            " ON rounds.dialogue_id = dialogues.id WHERE dialogues.slug = ?",
            SLUG,
        )
    )
    yield admin, people, rounds
    for context in contexts:
        context.close()


def test_the_reference_process_in_the_browser(live_server, process):
    admin, people, rounds = process
    # Round 1, challenges: every participant contributes (one of them twice).
    for page, text in zip(people, CHALLENGES, strict=True):
        page.goto(f"{live_server.url}/d/{SLUG}/rounds/{rounds[1]}/")
        page.fill("textarea", text)
        submit(page)
        assert page.locator(".flash-success").count() >= 1
    screenshot(people[0], "process_challenges")
    # The admin closes round 1 now and opens round 2 with the themes as its items.
    now = dt.datetime.now(ZONE).replace(second=0, microsecond=0)
    set_round(admin, live_server, 1, closes=now - dt.timedelta(minutes=1))
    set_round(
        admin,
        live_server,
        2,
        opens=now - dt.timedelta(minutes=1),
        closes=now + dt.timedelta(days=7),
        items=ITEMS,
    )
    publish(admin, live_server, rounds[1])
    screenshot(admin, "process_rounds")

    # Round 2, prioritisation, with the keyboard only: Tab to a place, type to choose, Enter.
    page = people[0]
    page.goto(f"{live_server.url}/d/{SLUG}/rounds/{rounds[2]}/")
    for place, letters in (("place_1", "Dig"), ("place_2", "Sam"), ("place_3", "Tid")):
        for _ in range(60):
            if page.evaluate("document.activeElement.id") == place:
                break
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == place
        page.keyboard.type(letters)
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    for _ in range(10):
        if page.evaluate("document.activeElement.type") == "submit":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    screenshot(page, "process_prioritisation_keyboard")
    (data,) = live_server.sql("SELECT data FROM contributions WHERE round_id = ?", rounds[2])[0]
    assert json.loads(data)["ranking"] == [
        "digitalisering",
        "samarbejde-paa-tvaers",
        "tid-til-kerneopgaven",
    ]

    # The public page shows round 1's published results and nothing of round 2.
    public = people[1]
    public.goto(f"{live_server.url}/p/{SLUG}/")
    main = public.inner_text("main")
    assert "Der blev skrevet 5 bidrag." in main
    for text in CHALLENGES:
        assert text not in main
    assert structure_problems(public) == []
    screenshot(public, "process_public_page")
