"""The whole reference process in a new dialogue, as its people meet it in the browser.

An operator creates the dialogue and gives it a consultant and management on the command line
(``create-dialogue``, ``add-staff``: the product has no page for either). Everything after
that happens in the browser, in the order of the reference process: the admin imports
participants on the participants page, sends the invitations and runs the rounds' schedule
through "Manage rounds" (closing a round early is editing its closing time:
``rounds.lifecycle`` allows a closing time in the past). Participants log in with the links
from the outbox and contribute; the consultant runs the theme analysis in the workbench (a
background job with a progress page, in threads as in production) and names the themes;
management drafts values from the themes and sends them out for consultation; the admin asks
again about the draft the consultation was divided on, and a participant revises their answer
after reading the others' reasons and the group's distribution; management finalises the values;
a participant follows their own contribution to a final value, and the public page shows what
was published. The prioritisation round is answered with the keyboard alone.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import (
    accessibility_violations,
    complete_staff_login,
    screenshot,
    serve,
    structure_problems,
)

pytestmark = pytest.mark.browser

SLUG = "proces-test"
ZONE = ZoneInfo("Europe/Copenhagen")
#: Eight participants. The first five take part in every round: the smallest group whose results
#: the minimum group size (5) shows. All eight rate the drafts, so that the reasons for a draft
#: come from enough people (8) to be shown to the others.
PEOPLE = [(f"deltager{n}@proces.example", f"Deltager {n}") for n in range(1, 9)]
EVERY_ROUND = 5
CONSULTANT = "konsulent@proces.example"
MANAGEMENT = "direktion@proces.example"
CONTINUE = "Fortsæt til dialogen"
#: Each participant writes one challenge per theme; the theme's name as the consultant gives
#: it, and a word its texts share (to know the analysis' theme by its cards).
THEMES = {
    "Tid til kerneopgaven": (
        "dokumentation",
        [
            "Dokumentationen tager tid fra kerneopgaven hver dag.",
            "Vi bruger for meget tid på dokumentation og for lidt tid på borgerne.",
            "Dokumentation og registrering stjæler tid fra kerneopgaven.",
            "Kravene til dokumentation æder vores tid med borgerne.",
            "For meget dokumentation giver mindre tid til kerneopgaven.",
        ],
    ),
    "Digitalisering": (
        "digitaliseringen",
        [
            "IT-systemerne er langsomme og digitaliseringen halter.",
            "Digitaliseringen går for langsomt, og IT-systemerne taler ikke sammen.",
            "Vores IT-systemer er forældede; digitaliseringen skal have fart på.",
            "Digitaliseringen mangler, IT-systemerne driller hver dag.",
            "Langsomme IT-systemer og træg digitalisering: digitaliseringen koster tid.",
        ],
    ),
    "Samarbejde på tværs": (
        "afdelinger",
        [
            "Samarbejdet på tværs af afdelinger er svagt.",
            "Afdelingerne samarbejder for lidt på tværs af afdelinger.",
            "Vi mangler samarbejde på tværs af afdelinger og faggrænser.",
            "Samarbejde på tværs mellem afdelinger sker sjældent.",
            "Der er siloer; samarbejdet på tværs af afdelinger er for svagt.",
        ],
    ),
}
ITEMS = list(THEMES)
#: Management's draft values: (draft title, the theme it comes from, final title).
VALUES = [
    ("Tid til borgerne", "Tid til kerneopgaven", "Tid til det vigtige"),
    ("Digitalt først", "Digitalisering", "Digitalt først"),
]


#: Each rater's agreement with the second draft, and why: the group is divided on it.
DIVIDED = [
    (2, "Digitale løsninger passer ikke til alle borgere."),
    (3, "Det afhænger af, om systemerne bliver bedre."),
    (4, "Digitale løsninger kan give os mere tid."),
    (5, "Borgerne forventer at kunne klare det meste digitalt."),
    (2, "Mange ældre borgere bliver ladt i stikken."),
    (3, "Godt mål, men vi mangler udstyr og oplæring."),
    (4, "Det sparer papir og dobbeltarbejde."),
    (2, "Først skal de systemer, vi har, virke."),
]
REVISED = (4, "Efter at have læst de andres begrundelser: det kan give os mere tid.")


def local(moment: dt.datetime) -> str:
    """A datetime-local value in the dialogue's time zone."""
    return moment.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")


def now() -> dt.datetime:
    return dt.datetime.now(ZONE).replace(second=0, microsecond=0)


def submit(page, form="main form"):
    """Press a form's button and wait for the answer page, which a busy server may be slow with."""
    with page.expect_navigation():
        page.locator(f"{form} [type=submit]").last.click()


def log_in_staff(page, server, address: str, link: str) -> None:
    """Every staff login of this test: the one-time link, its button, then the second factor."""
    complete_staff_login(page, server, address, link=link)
    assert "/link/" not in page.url


def login_link(output: str) -> str:
    return next(word for word in output.split() if "/link/" in word)


def set_round(page, server, position: int, *, opens=None, closes=None, items=None):
    """Edit a round under "Manage rounds"."""
    page.goto(f"{server.url}/d/{SLUG}/manage/rounds/")
    page.locator("main table tbody tr").nth(position - 1).locator("a[href$='/edit']").click()
    if opens is not None:
        page.fill("#opens_at", local(opens))
    if closes is not None:
        page.fill("#closes_at", local(closes))
    if items is not None:
        page.fill("#setting_items", "\n".join(items))
    submit(page, "main form:has(#opens_at)")
    assert "/edit" not in page.url, page.inner_text("main")


def open_round(page, server, position: int, start: dt.datetime):
    """Open round ``position`` for a week from a moment already past."""
    set_round(page, server, position, opens=start, closes=now() + dt.timedelta(days=7))


def close_and_publish(page, server, position: int, round_id: int):
    """Close a round a minute ago and publish its results to the participants."""
    set_round(page, server, position, closes=now() - dt.timedelta(minutes=1))
    page.goto(f"{server.url}/d/{SLUG}/rounds/{round_id}/results/")
    submit(page, "main form[action$='/publish']")
    assert page.locator(".flash-success").count() == 1, page.inner_text("main")


def answer(page, server, round_id: int, fill) -> None:
    """Open a round's page, let ``fill`` answer it, save, and expect the thanks."""
    page.goto(f"{server.url}/d/{SLUG}/rounds/{round_id}/")
    fill(page)
    submit(page, "main form[action$='/contributions']")
    assert page.locator(".flash-success").count() >= 1, page.inner_text("main")


def checked(page, problems_of=structure_problems) -> None:
    assert problems_of(page) == [], page.url


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server of its own, without the demo, running jobs in threads as in production."""
    with serve(tmp_path_factory.mktemp("process"), demo=False, JOBS_RUNNER="thread") as live:
        yield live


@pytest.fixture(scope="module")
def process(server, browser, tmp_path_factory):
    """The dialogue and its staff, participants imported and invited: a page per person."""
    yesterday = (dt.datetime.now(ZONE) - dt.timedelta(days=1)).date().isoformat()
    created = server.run(
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
    staff_links = {
        role: login_link(server.run("add-staff", SLUG, email, "--role", role))
        for role, email in (("consultant", CONSULTANT), ("management", MANAGEMENT))
    }
    contexts = []

    def new_page():
        context = browser.new_context(locale="da-DK")
        contexts.append(context)
        return context.new_page()

    admin = new_page()
    log_in_staff(admin, server, "facilitator@proces.example", login_link(created))
    # The participants page: import a CSV file, then send the invitations.
    csv = tmp_path_factory.mktemp("import") / "deltagere.csv"
    csv.write_text(
        "e-mail;navn;afdeling;rollegruppe\n"
        + "".join(f"{email};{name};Teknik;Medarbejder\n" for email, name in PEOPLE),
        encoding="utf-8",
    )
    admin.goto(f"{server.url}/d/{SLUG}/admin/participants")
    admin.set_input_files("input[type=file]", str(csv))
    submit(admin, "main form[enctype='multipart/form-data']")
    assert admin.locator(".flash-success").count() >= 1, admin.inner_text("main")
    # Invitations: the button opens the confirmation with the count and the mail, then sends.
    with admin.expect_navigation():
        admin.locator("main a[href$='/participants/invite']").click()
    assert "[personligt link]" in admin.inner_text("main")
    submit(admin, "main form[action$='/invite']")
    screenshot(admin, "process_participants")
    people = []
    for email, _name in PEOPLE:
        (link,) = server.mailed_links(email)
        page = new_page()
        page.goto(link)
        page.get_by_role("button", name=CONTINUE).click()
        people.append(page)
    consultant, management = new_page(), new_page()
    log_in_staff(consultant, server, CONSULTANT, staff_links["consultant"])
    log_in_staff(management, server, MANAGEMENT, staff_links["management"])
    rounds = dict(
        server.sql(
            "SELECT rounds.position, rounds.id FROM rounds JOIN dialogues"
            " ON rounds.dialogue_id = dialogues.id WHERE dialogues.slug = ?",
            SLUG,
        )
    )
    yield {
        "admin": admin,
        "consultant": consultant,
        "management": management,
        "people": people,
        "rounds": rounds,
    }
    for context in contexts:
        context.close()


def contribute_challenges(server, people, round_id):
    """Round 1: every participant writes one challenge of each theme."""
    for index, page in enumerate(people):
        page.goto(f"{server.url}/d/{SLUG}/rounds/{round_id}/")
        for _word, texts in THEMES.values():
            page.fill("main form[action$='/contributions'] textarea", texts[index])
            submit(page, "main form[action$='/contributions']")
            assert page.locator(".flash-success").count() >= 1, page.inner_text("main")
    screenshot(people[0], "process_challenges")


def analyse_and_name_themes(server, consultant, round_id):
    """The consultant finds the workbench from the round, runs the analysis and names themes."""
    consultant.goto(f"{server.url}/d/{SLUG}/")
    consultant.locator("main .timeline-item").first.locator("h3 a").click()
    consultant.get_by_role("link", name="Temaer på arbejdsbordet").click()
    assert consultant.url.endswith(f"/workbench/rounds/{round_id}/")
    assert "Runden er ikke analyseret endnu." in consultant.inner_text("main")
    consultant.get_by_label("Antal temaer").fill("3")
    submit(consultant, "main form[action$='/run']")
    # A background job: the page shows its progress and reloads itself once the job has ended.
    consultant.get_by_text(re.compile(r"^Seneste analyse \d")).wait_for(timeout=60_000)
    assert consultant.locator(".job-status [role=alert]").count() == 0
    screenshot(consultant, "process_workbench_analysed")
    cards = consultant.locator("main article.card")
    assert cards.count() == 3, consultant.inner_text("main")
    theme_urls = {}
    for index in range(cards.count()):
        card = cards.nth(index)
        text = card.inner_text().lower()
        (name,) = [name for name, (word, _texts) in THEMES.items() if word in text]
        theme_urls[name] = card.locator("h3 a").get_attribute("href")
    for name, url in theme_urls.items():
        consultant.goto(f"{server.url}{url}")
        consultant.get_by_text("Omdøb og beskriv").click()
        consultant.get_by_label("Navn").fill(name)
        submit(consultant, "main form[action$='/edit']")
        assert consultant.get_by_role("heading", level=1).inner_text() == name
        assert "Temaet er gemt." in consultant.inner_text("main")
    checked(consultant)
    screenshot(consultant, "process_theme_renamed")
    consultant.goto(f"{server.url}/d/{SLUG}/workbench/rounds/{round_id}/")
    headings = consultant.locator("main article.card h3").all_inner_texts()
    assert sorted(headings) == sorted(THEMES)
    assert "Omdøb" in consultant.inner_text("main #history-heading ~ ol")


def prioritise(server, people, round_id):
    """Round 2: the first participant with the keyboard only, the others with the mouse."""
    page = people[0]
    page.goto(f"{server.url}/d/{SLUG}/rounds/{round_id}/")
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
    with page.expect_navigation():
        page.keyboard.press("Enter")
    screenshot(page, "process_prioritisation_keyboard")
    return json.loads(
        server.sql("SELECT data FROM contributions WHERE round_id = ?", round_id)[0][0]
    )["ranking"]


def rank_with_the_mouse(page):
    for place, item in zip(("place_1", "place_2", "place_3"), ITEMS, strict=True):
        page.select_option(f"#{place}", label=item)


def write_about_culture(page):
    top = page.get_by_role("group", name=ITEMS[0])
    top.get_by_label("En styrke ved vores kultur").fill("Vi hjælper hinanden, når det brænder på.")
    top.get_by_label("En svaghed").fill("Vi siger for sjældent fra over for nye krav.")


def draft_and_publish_values(server, management, consultation_id):
    """Management drafts a value from each of two themes and sends both out for consultation."""
    management.goto(f"{server.url}/d/{SLUG}/")
    management.get_by_role("link", name="Forslag", exact=True).click()
    for title, theme, _final in VALUES:
        management.get_by_role("link", name="Skriv et forslag").click()
        management.get_by_label("Slags").select_option(label="Værdi")
        management.get_by_label("Titel").fill(title)
        management.get_by_label("Tekst").fill(f"Vi vil arbejde med {theme.lower()}.")
        submit(management)
        assert management.get_by_role("heading", level=1).inner_text() == title
        link = management.locator("main form[action$='/sources']")
        link.get_by_label("Tema").select_option(
            link.locator("option", has_text=theme).get_attribute("value")
        )
        link.get_by_label("Hvordan det ligger til grund for forslaget").fill("Runde 1 viser det.")
        submit(management, "main form[action$='/sources']")
        assert theme in management.inner_text("main .contribution-list")
        publish = management.locator("main form[action$='/publish']")
        publish.get_by_label("Runde").select_option(str(consultation_id))
        submit(management, "main form[action$='/publish']")
        assert management.locator(".flash-success").count() == 1, management.inner_text("main")
        checked(management)
        management.goto(f"{server.url}/d/{SLUG}/proposals/")
    screenshot(management, "process_proposals_in_consultation")


def rate_the_drafts(index: int):
    """Everyone agrees with the first draft; the second divides them, each giving a reason."""
    (agreed, _theme, _final), (divided, _theme2, _final2) = VALUES
    rating, reason = DIVIDED[index]

    def fill(page):
        page.get_by_role("group", name=agreed).locator("input[value='4']").check()
        page.get_by_role("group", name=divided).locator(f"input[value='{rating}']").check()
        page.get_by_label(f"Hvorfor? Din begrundelse for “{divided}” (valgfri)").fill(reason)
        for title, _t, _f in VALUES:
            page.get_by_label(f"Kommentar til “{title}” (valgfri)").fill(
                "Godt, men gør det konkret."
            )

    return fill


def ask_again(server, admin, start) -> int:
    """The admin asks again about the divided draft, before the action round, open now."""
    admin.goto(f"{server.url}/d/{SLUG}/manage/rounds/")
    with admin.expect_navigation():
        admin.locator("main table tbody tr").nth(3).locator(
            "form[action$='/repeat'] button"
        ).click()
    assert admin.locator(".flash-success").count() == 1, admin.inner_text("main")
    repeat_id = int(re.search(r"/rounds/(\d+)/edit$", admin.url).group(1))
    admin.goto(f"{server.url}/d/{SLUG}/manage/rounds/")
    last = admin.locator("main table tbody tr").nth(5)
    assert "(spurgt igen)" in last.locator("th").inner_text()
    with admin.expect_navigation():
        last.get_by_role("button", name=re.compile("^Flyt op")).click()
    assert "(spurgt igen)" in admin.locator("main table tbody tr").nth(4).inner_text()
    open_round(admin, server, 5, start)
    return repeat_id


def revise_an_answer(server, page, repeat_id: int):
    """Reads the reasons and the group's answers beside their own, and changes their answer."""
    (agreed, _theme, _final), (divided, _theme2, _final2) = VALUES
    page.goto(f"{server.url}/d/{SLUG}/rounds/{repeat_id}/")
    assert "Dette er runde 2 af højst 3." in page.inner_text(
        "section[aria-labelledby=rule-heading]"
    )
    assert page.get_by_role("group", name=agreed, exact=True).count() == 0  # settled: not asked
    group = page.get_by_role("group", name=divided, exact=True)
    hint = group.locator(".hint").inner_text()
    assert "Dit svar sidst: 2." in hint
    assert "Gruppen sidst: 1: 0, 2: 3, 3: 2, 4: 2, 5: 1" in hint
    # The others' reasons from last time, beside the item: a summary to unfold.
    reasons = group.locator("details.reasons")
    assert reasons.locator("summary").inner_text() == f"8 begrundelser for “{divided}”"
    reasons.locator("summary").click()
    shown = reasons.locator(".contribution-text").all_inner_texts()
    assert sorted(shown) == sorted(text for _rating, text in DIVIDED)
    assert group.locator("input[value='2']").is_checked()  # it starts from their own answer
    checked(page)
    checked(page, accessibility_violations)
    screenshot(page, "process_ask_again")
    rating, reason = REVISED
    group.locator(f"input[value='{rating}']").check()
    page.get_by_label(f"Hvorfor? Din begrundelse for “{divided}” (valgfri)").fill(reason)
    submit(page, "main form[action$='/contributions']")
    assert page.locator(".flash-success").count() >= 1, page.inner_text("main")
    assert group.locator("input[value='4']").is_checked()


def read_the_change(server, page, repeat_id: int):
    """The repeat's results: the new distribution, who changed, the verdict, what was settled."""
    (agreed, _theme, _final), (divided, _theme2, _final2) = VALUES
    page.goto(f"{server.url}/d/{SLUG}/rounds/{repeat_id}/results/")
    page.locator("main details.statistics > summary").click()
    answers = page.locator("main table", has=page.locator("caption", has_text="Svar pr. punkt"))
    row = answers.locator("tbody tr", has_text=divided)
    assert row.locator("td").all_inner_texts()[:6] == ["5", "0", "1", "1", "2", "1"]
    rule = page.locator("main table", has=page.locator("caption", has_text="opfyldte reglen"))
    assert re.fullmatch(
        r"20\s%", rule.locator("tbody tr", has_text=divided).locator("td").last.inner_text()
    )
    main = page.inner_text("main")
    assert re.search(r"ændrede 20\s% mindst ét svar", main)
    assert "Stopreglen siger: fortsæt." in main
    assert agreed in main.split("Afgjort i tidligere runder og ikke spurgt om igen:")[1]
    checked(page)
    screenshot(page, "process_ask_again_results")
    # The round's own page keeps the participant's answers side by side, now that it has closed.
    page.goto(f"{server.url}/d/{SLUG}/rounds/{repeat_id}/")
    mine = page.locator("main table", has=page.locator("caption", has_text="Dine svar"))
    assert mine.locator("tbody tr", has_text=divided).locator("td").all_inner_texts() == ["2", "4"]
    checked(page)
    checked(page, accessibility_violations)


def finalise_values(server, management, action_id):
    """Management writes each final version, then makes the final values the action items."""
    management.goto(f"{server.url}/d/{SLUG}/proposals/")
    for title, _theme, final in VALUES:
        management.get_by_role("link", name=title, exact=True).click()
        if title == VALUES[0][0]:
            assert re.search(r"100\s%\svar enige", management.inner_text("main"))  # all agreed
        management.get_by_role("link", name="Gør endelig …").click()
        assert "ikke sendt i høring" not in management.inner_text("main")  # it was consulted
        finalise = management.locator("main form[action$='/finalise']")
        finalise.get_by_label("Endelig titel").fill(final)
        finalise.get_by_label("Hvad er ændret efter høringen").fill("Gjort mere konkret.")
        submit(management, "main form[action$='/finalise']")
        assert management.locator(".flash-success").count() == 1, management.inner_text("main")
        checked(management)
        management.goto(f"{server.url}/d/{SLUG}/proposals/")
    feed = management.locator("main form[action$='/feed']")
    feed.get_by_label("Runde").select_option(str(action_id))
    submit(management, "main form[action$='/feed']")
    assert management.locator(".flash-success").count() == 1, management.inner_text("main")
    screenshot(management, "process_final_values")


def commit_to_action(page):
    for _title, _theme, final in VALUES:
        page.get_by_role("group", name=final).get_by_label("Det vil jeg gøre").fill(
            "Jeg tager det op på næste teammøde."
        )


def follow_my_input(server, page, own_text: str):
    """The participant finds their challenge, its theme and the final value it informed."""
    page.goto(f"{server.url}/d/{SLUG}/")
    page.get_by_role("link", name="Mine input").click()
    card = page.locator("main .own-list > li", has_text=own_text)
    path = card.locator(".path").inner_text()
    theme, final = VALUES[0][1], VALUES[0][2]
    assert f"Samlet i temaet/temaerne: {theme}" in path
    assert f"“{final}”" in path
    checked(page)
    checked(page, accessibility_violations)
    screenshot(page, "process_my_input")
    card.get_by_role("link", name=f"“{final}”").click()
    main = page.inner_text("main")
    assert final in page.get_by_role("heading", level=1).inner_text()
    assert theme in main
    screenshot(page, "process_why_this_value_participant")


def read_the_public_page(server, page):
    page.goto(f"{server.url}/p/{SLUG}/")
    main = page.inner_text("main")
    assert "Der blev skrevet 15 bidrag." in main
    for _word, texts in THEMES.values():
        for text in texts:
            assert text not in main
    assert main.count("Resultaterne af denne runde er ikke offentliggjort endnu.") == 0
    assert "Hvornår er gruppen enig?" in main  # the declared rule of both rating rounds
    assert "(spurgt igen)" in main
    assert "Stopreglen siger: fortsæt." in main  # shown, not folded among the figures
    assert not any(text in main for _rating, text in DIVIDED)  # reasons stay with the dialogue
    values = main.split("De endelige værdier")[-1]
    for _title, _theme, final in VALUES:
        assert final in values
    checked(page)
    checked(page, accessibility_violations)
    screenshot(page, "process_public_page")
    page.get_by_role("link", name=VALUES[0][2], exact=True).click()
    assert "Hvorfor denne værdi?" in page.inner_text("main")
    assert VALUES[0][1] in page.inner_text("main")
    checked(page)
    screenshot(page, "process_public_value")


def test_the_reference_process_in_the_browser(server, process):
    admin, consultant, management = process["admin"], process["consultant"], process["management"]
    everyone, rounds = process["people"], process["rounds"]
    people = everyone[:EVERY_ROUND]
    # Rounds open one after another from moments already past, each closed a minute ago when
    # its turn ends, so every schedule is valid whatever the clock says.
    start = now() - dt.timedelta(hours=1)

    contribute_challenges(server, people, rounds[1])
    close_and_publish(admin, server, 1, rounds[1])
    screenshot(admin, "process_rounds")

    analyse_and_name_themes(server, consultant, rounds[1])

    # Round 2: the admin asks about the themes the consultant named.
    set_round(admin, server, 2, items=ITEMS)
    open_round(admin, server, 2, start + dt.timedelta(minutes=10))
    assert prioritise(server, people, rounds[2]) == [
        "digitalisering",
        "samarbejde-paa-tvaers",
        "tid-til-kerneopgaven",
    ]
    for page in people[1:]:
        answer(page, server, rounds[2], rank_with_the_mouse)
    close_and_publish(admin, server, 2, rounds[2])

    # Round 3, culture: the top priorities of round 2 become its items.
    admin.goto(f"{server.url}/d/{SLUG}/manage/rounds/{rounds[3]}/edit")
    take = admin.locator("main form[action$='/items']")
    take.get_by_label("Fra runden").select_option(str(rounds[2]))
    take.get_by_label("Hvor mange af de øverste punkter").fill("3")
    submit(admin, "main form[action$='/items']")
    assert admin.locator(".flash-success").count() == 1, admin.inner_text("main")
    open_round(admin, server, 3, start + dt.timedelta(minutes=20))
    for page in people:
        answer(page, server, rounds[3], write_about_culture)
    screenshot(people[0], "process_culture")
    close_and_publish(admin, server, 3, rounds[3])

    # Round 4, consultation on management's drafts: everyone rates them.
    draft_and_publish_values(server, management, rounds[4])
    open_round(admin, server, 4, start + dt.timedelta(minutes=30))
    for index, page in enumerate(everyone):
        answer(page, server, rounds[4], rate_the_drafts(index))
    screenshot(people[0], "process_consultation")
    close_and_publish(admin, server, 4, rounds[4])

    # Round 5 asks again about the divided draft: one participant changes, the others keep theirs.
    repeat_id = ask_again(server, admin, start + dt.timedelta(minutes=35))
    revise_an_answer(server, people[0], repeat_id)
    for page in people[1:]:
        answer(page, server, repeat_id, lambda page: None)
    close_and_publish(admin, server, 5, repeat_id)
    read_the_change(server, people[0], repeat_id)

    # Round 6, action: commitments to the final values.
    finalise_values(server, management, rounds[5])
    open_round(admin, server, 6, start + dt.timedelta(minutes=40))
    for page in people:
        answer(page, server, rounds[5], commit_to_action)
    screenshot(people[0], "process_action")
    close_and_publish(admin, server, 6, rounds[5])

    follow_my_input(server, people[0], THEMES[VALUES[0][1]][1][0])
    read_the_public_page(server, people[1])
