"""Every page of every role in the demo dialogue: no serious or critical WCAG 2.1 A/AA issue.

Each role logs in and follows every link of its dialogue two levels deep, running axe-core on
each page it reaches.
"""

import datetime as dt
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import (
    accessibility_violations,
    complete_staff_login,
    screenshot,
    structure_problems,
)

pytestmark = pytest.mark.browser

STAFF = {
    "consultant": "konsulent@demo.example",
    "management": "direktion@demo.example",
    "admin": "admin@demo.example",
}
MAX_PAGES = 40


def log_in(page, live_server, role):
    """Log in as ``role``; a participant uses the demo's second login link (single-use)."""
    if role == "participant":
        page.goto(live_server.participant_links()[1])
        page.get_by_role("button", name="Fortsæt til dialogen").click()
        return
    complete_staff_login(page, live_server, STAFF[role])


def same_site_links(page, live_server):
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.href)")
    wanted = []
    for href in hrefs:
        parts = urlsplit(href)
        if href.startswith(live_server.url) and "/link/" not in parts.path:
            wanted.append(parts._replace(fragment="").geturl())
    return wanted


def crawl(page, live_server, start):
    """Open the ``start`` pages and the links they lead to, two levels deep; yield each URL.

    The page is open at that URL while the caller checks it.
    """
    queue, seen = list(start), set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        page.goto(url)
        yield url
        if url in start or urlsplit(url).path.count("/") <= 4:
            queue.extend(link for link in same_site_links(page, live_server) if link not in seen)


@pytest.mark.parametrize("role", ["participant", "consultant", "management", "admin"])
def test_every_page_of_a_role_is_accessible(live_server, page, role):
    log_in(page, live_server, role)
    seen, problems = [], {}
    for url in crawl(page, live_server, [page.url]):
        seen.append(url)
        violations = accessibility_violations(page) + structure_problems(page)
        if violations:
            problems[urlsplit(url).path] = violations
    screenshot(page, f"{role}_last_page")
    assert len(seen) > 3
    assert problems == {}


DEMO_SLUG = "vaerdier"


def public_paths(live_server, page):
    page.goto(f"{live_server.url}/p/{DEMO_SLUG}/values/")
    value = page.locator("main .strategy-map a").first.get_attribute("href")
    return [f"/p/{DEMO_SLUG}/", f"/p/{DEMO_SLUG}/en/", f"/p/{DEMO_SLUG}/values/", value]


def test_the_public_pages_are_accessible_and_self_contained(live_server, page):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    problems = {}
    for path in public_paths(live_server, page):
        page.goto(live_server.url + path)
        found = accessibility_violations(page) + structure_problems(page)
        if found:
            problems[path] = found
    page.goto(f"{live_server.url}/p/{DEMO_SLUG}/")
    screenshot(page, "public_dialogue_page")
    assert problems == {}
    # No third-party request: fonts, scripts, images and styles all come from the server itself.
    assert [url for url in requests if not url.startswith(live_server.url)] == []


def test_the_public_page_needs_no_javascript(live_server, browser):
    context = browser.new_context(locale="da-DK", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/p/{DEMO_SLUG}/")
        assert page.locator("h1").count() == 1
        assert page.locator("svg[role=img]").count() >= 1  # charts are drawn on the server
        assert page.locator("table caption").count() >= 1  # ... with their numbers as tables
        page.locator("header a[hreflang=en]").click()  # the language switch is a plain link
        assert page.locator("html").get_attribute("lang") == "en"
    finally:
        context.close()


def test_forms_in_an_error_state_are_accessible(live_server, page):
    problems = {}
    page.goto(live_server.url + "/login")
    page.get_by_role("button", name="Log ind").click()
    problems["/login"] = accessibility_violations(page)
    page.goto(live_server.url + "/login/link")
    page.fill("#email", "not an address")
    page.locator("main form button[type=submit], main form input[type=submit]").click()
    problems["/login/link"] = accessibility_violations(page)
    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/d/{DEMO_SLUG}/manage/rounds/")
    page.locator("main a[href*='/edit']").first.click()
    page.fill("#opens_at", "not a time")
    page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    assert page.locator(".error").count() >= 1
    problems["round form"] = accessibility_violations(page) + structure_problems(page)
    screenshot(page, "round_form_error")
    assert {path: found for path, found in problems.items() if found} == {}


def test_the_two_factor_pages_are_accessible(live_server, page):
    """Enrolment (first login), the code page, their error states and the half-logged-in 403."""
    created = live_server.run(
        "create-dialogue", "totp-a11y", "--title", "To trin", "--admin-email", "to@trin.example"
    )
    link = next(word for word in created.split() if "/link/" in word)
    problems = {}

    def check(name):
        found = accessibility_violations(page) + structure_problems(page)
        if found:
            problems[name] = found

    page.goto(link)
    page.get_by_role("button", name="Fortsæt til dialogen").click()
    assert page.url.endswith("/login/code/setup")
    check("enrolment")
    screenshot(page, "totp_enrolment")
    page.goto(f"{live_server.url}/d/totp-a11y/")
    check("403 before the second factor")
    page.goto(f"{live_server.url}/login/code/setup")
    page.fill("#code", "000000x")
    page.get_by_role("button", name="Bekræft").click()
    assert page.locator(".error").count() >= 1
    check("enrolment with a wrong code")

    page.context.clear_cookies()
    page.goto(live_server.url + "/login")
    page.fill("#email", STAFF["consultant"])
    page.fill("#password", "demo-dialog-2026")
    page.get_by_role("button", name="Log ind").click()
    assert page.url.endswith("/login/code")
    check("code")
    page.fill("#code", "000000x")
    page.get_by_role("button", name="Bekræft").click()
    check("code with a wrong code")
    assert problems == {}


#: The pages that close the loop, per role; the crawl above may run out of pages before them.
LOOP_PAGES = {
    "consultant": ["/d/vaerdier/member-checks/", "/d/vaerdier/follow-up/"],
    "management": ["/d/vaerdier/follow-up/", "/d/vaerdier/follow-up/review?period=month"],
}


@pytest.mark.parametrize("role", sorted(LOOP_PAGES))
def test_member_checks_and_follow_up_are_accessible_for_staff(live_server, page, role):
    log_in(page, live_server, role)
    paths = list(LOOP_PAGES[role])
    if role == "management":
        page.goto(live_server.url + paths[0])
        paths.append(page.locator("main a[href*='/commitments']").first.get_attribute("href"))
    problems = {}
    for path in paths:
        page.goto(live_server.url + path)
        found = accessibility_violations(page) + structure_problems(page)
        if found:
            problems[path] = found
    screenshot(page, f"{role}_closing_the_loop")
    assert problems == {}


def test_the_participants_page_and_the_send_confirmations_are_accessible(live_server, page):
    """The admin's sends: the page with reminder times and the send log, and each confirmation."""
    log_in(page, live_server, "admin")
    participants = live_server.url + "/d/vaerdier/admin/participants"
    page.goto(participants)
    confirmations = page.eval_on_selector_all(
        "main a[href*='/participants/invite'], main a[href*='/participants/remind/']",
        "links => links.map(a => a.href)",
    )
    assert len(confirmations) >= 2, "the demo has an open round to remind of"
    problems = {}
    for url in [participants, *confirmations]:
        page.goto(url)
        found = accessibility_violations(page) + structure_problems(page)
        if found:
            problems[url] = found
    screenshot(page, "admin_reminder_confirmation")
    assert problems == {}


def test_my_input_with_member_checks_is_accessible_also_when_an_answer_is_refused(
    live_server, page
):
    page.goto(live_server.participant_links()[2])
    page.get_by_role("button", name="Fortsæt til dialogen").click()
    problems = {}
    for path in (f"/d/{DEMO_SLUG}/my-input", f"/d/{DEMO_SLUG}/follow-up/"):
        page.goto(live_server.url + path)
        problems[path] = accessibility_violations(page) + structure_problems(page)
    page.goto(f"{live_server.url}/d/{DEMO_SLUG}/my-input")
    form = page.locator("form.check-form").first
    form.locator("textarea").evaluate("t => { t.removeAttribute('maxlength'); }")
    form.locator("textarea").fill("x" * 1001)  # more than the server takes
    form.locator("button[type=submit]").click()
    assert page.locator(".check-form .error").count() == 1
    problems["refused answer"] = accessibility_violations(page) + structure_problems(page)
    screenshot(page, "my_input_refused_answer")
    assert {path: found for path, found in problems.items() if found} == {}


#: A round's extra questions as staff type them: type, Danish, English, options, required, bands.
EXTRA_QUESTIONS = [
    ("single", "Bruger du intranet?", "Do you use the intranet?", "Ja | Yes\nNej | No", True, ""),
    ("multiple", "Hvilke kanaler?", "Which channels?", "Mail | Mail\nMøder | Meetings", False, ""),
    ("scale", "Hvor tilfreds er du?", "How satisfied are you?", "", False, ""),
    ("text", "Hvorfor?", "Why?", "", False, ""),
    ("background", "", "", "", False, "age"),
]  # fmt: skip


def submit_and_wait(page, selector):
    """Press the form's button and wait for the page the server answers with."""
    with page.expect_navigation():
        page.locator(f"{selector} [type=submit]").last.click()


def test_the_extra_question_pages_are_accessible(live_server, page, tmp_path):
    """Staff's questions page, its refusal and edit form; a participant's round page with them.

    In a dialogue of its own, whose first round has no input yet, so questions can be added.
    """
    slug, admin = "spoergsmaal-a11y", "spoergsmaal@a11y.example"
    yesterday = dt.datetime.now(ZoneInfo("Europe/Copenhagen")).date() - dt.timedelta(days=1)
    created = live_server.run(
        "create-dialogue", slug, "--title", "Ekstra spørgsmål", "--admin-email", admin,
        "--start", yesterday.isoformat(),
    )  # fmt: skip
    link = next(word for word in created.split() if "/link/" in word)
    complete_staff_login(page, live_server, admin, link=link)
    [(round_id,)] = live_server.sql(
        "SELECT rounds.id FROM rounds JOIN dialogues ON rounds.dialogue_id = dialogues.id"
        " WHERE dialogues.slug = ? AND rounds.position = 1",
        slug,
    )
    problems = {}

    def check(name):
        found = accessibility_violations(page) + structure_problems(page)
        if found:
            problems[name] = found

    page.goto(f"{live_server.url}/d/{slug}/manage/rounds/{round_id}/questions")
    for kind, text_da, text_en, options, required, bands in EXTRA_QUESTIONS:
        page.select_option("#type", kind)
        page.fill("#text_da", text_da)
        page.fill("#text_en", text_en)
        page.fill("#options", options)
        page.set_checked("#required", required)
        page.select_option("#band_set", bands)
        submit_and_wait(page, "main form.form")
    assert page.locator("main table tbody tr").count() == len(EXTRA_QUESTIONS)
    check("questions")
    page.select_option("#type", "single")
    page.fill("#text_da", "Kun én mulighed?")
    page.fill("#text_en", "Only one option?")
    page.fill("#options", "Ja | Yes")
    submit_and_wait(page, "main form.form")
    assert page.locator("main .error").count() >= 1
    check("refused question")
    page.locator("main table a[href$='/edit']").first.click()
    page.wait_for_url("**/questions/*/edit")
    check("edit question")

    participant = "deltager@a11y.example"
    csv = tmp_path / "deltagere.csv"
    csv.write_text(f"e-mail;navn;afdeling;rollegruppe\n{participant};Del Tager;Teknik;Ansat\n")
    page.goto(f"{live_server.url}/d/{slug}/admin/participants")
    page.set_input_files("input[type=file]", str(csv))
    submit_and_wait(page, "main form[enctype='multipart/form-data']")
    with page.expect_navigation():
        page.locator("main a[href$='/participants/invite']").click()
    submit_and_wait(page, "main form[action$='/invite']")
    page.context.clear_cookies()
    (invitation,) = live_server.mailed_links(participant)
    page.goto(invitation)
    page.get_by_role("button", name="Fortsæt til dialogen").click()
    page.goto(f"{live_server.url}/d/{slug}/rounds/{round_id}/")
    assert page.locator("main #questions").count() == 1
    check("round page with questions")
    submit_and_wait(page, "main form[action$='/questions']")  # the required one left unanswered
    assert page.locator("main form[action$='/questions'] .error").count() >= 1
    check("refused answers")
    screenshot(page, "extra_questions_refused_answers")
    assert problems == {}
