"""Signing in through a real OpenID provider (issue #22), in Chromium.

One provider process for the session: the certified `oidc-provider` package run by
``oidc_provider.mjs`` on a free loopback port, with the app (demo dialogue) registered as its
client. Nothing is mocked: the app fetches the discovery document and the keys, exchanges the
code at the token endpoint and checks the signed ID token. The provider's two misbehaving
accounts (``#other-audience``, ``#expired``) give real signed tokens that are wrong.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import (
    _free_port,
    _next_code,
    accessibility_violations,
    demo_participant,
    serve,
    structure_problems,
)
from tests.conftest import require

HERE = Path(__file__).parent
PROVIDER_SCRIPT = HERE / "oidc_provider.mjs"
PROVIDER_PACKAGE = HERE / "node_modules" / "oidc-provider" / "package.json"
CLIENT_SECRET = "browser-tests-client-secret-" + "x" * 16
SLUG = "vaerdier"
STAFF = "konsulent@demo.example"
#: Rows whose number must not change when someone signs in (nothing is created).
COUNTED_TABLES = ("people", "memberships", "audit_events")
#: Where a participant signed in through the provider lands: the dialogue's notice.
NOTICE = re.compile(rf".*/d/{SLUG}/privacy/go-on\?next=")


def _wait_for_provider(issuer: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the OpenID provider exited during start-up")
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the OpenID provider did not start within 30 s")


@pytest.fixture(scope="session")
def provider_site(tmp_path_factory):
    """The demo app, signing in through the test provider (its dialogue's participants too)."""
    require(shutil.which("node") is not None, "Node.js", "`apt-get install nodejs` installs it")
    require(PROVIDER_PACKAGE.exists(), "oidc-provider", "`make browser-deps` installs it")
    provider_port, app_port = _free_port(), _free_port()
    issuer = f"http://127.0.0.1:{provider_port}"
    provider = subprocess.Popen(
        ["node", str(PROVIDER_SCRIPT), str(provider_port), f"http://127.0.0.1:{app_port}"],
        env={"PATH": "/usr/bin:/bin", "CLIENT_SECRET": CLIENT_SECRET},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_provider(issuer, provider)
        with serve(
            tmp_path_factory.mktemp("oidc"),
            port=app_port,
            JOBS_RUNNER="inline",
            OIDC_ISSUER=issuer,
            OIDC_CLIENT_ID="dialogue",
            OIDC_CLIENT_SECRET=CLIENT_SECRET,
        ) as server:
            server.run("oidc-sign-in", SLUG)
            yield server
    finally:
        provider.terminate()
        provider.wait(timeout=10)


def counts(site) -> dict[str, int]:
    return {table: site.sql(f"SELECT count(*) FROM {table}")[0][0] for table in COUNTED_TABLES}


def sign_in_at_provider(page, address: str, *, mfa: bool = False) -> None:
    """What a person does on the provider's page: their address, and their second factor."""
    page.fill("#email", address)
    if mfa:
        page.check("input[name=mfa]")
    page.get_by_role("button", name="Sign in").click()


def staff_sign_in(page, site, address: str, *, mfa: bool = False):
    page.goto(site.url + "/login")
    page.get_by_role("link", name="Log ind med din organisations konto").click()
    sign_in_at_provider(page, address, mfa=mfa)


def is_logged_in(page, site) -> bool:
    """Whether the browser's session opens the own-dialogues page (not the login or a 403)."""
    response = page.goto(site.url + "/home")
    return response.ok and "/login" not in page.url


def test_login_page_offers_the_provider(provider_site, page):
    page.goto(provider_site.url + "/login")
    link = page.get_by_role("link", name="Log ind med din organisations konto")
    assert link.get_attribute("href") == "/login/oidc"
    assert accessibility_violations(page) == []
    assert structure_problems(page) == []


def test_staff_with_the_providers_second_factor_skip_the_code(provider_site, page):
    before = counts(provider_site)
    staff_sign_in(page, provider_site, STAFF, mfa=True)
    assert page.url == f"{provider_site.url}/d/{SLUG}/", page.inner_text("main")
    assert is_logged_in(page, provider_site)
    [(action,)] = provider_site.sql("SELECT action FROM audit_events ORDER BY id DESC LIMIT 1")
    assert action == "login"
    assert counts(provider_site)["people"] == before["people"]

    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url(provider_site.env["OIDC_ISSUER"] + "/session/end**")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(re.compile(re.escape(provider_site.url) + r"/(\?state=.*)?$"))
    assert "Du er logget ud" in page.inner_text("body")
    assert not is_logged_in(page, provider_site)


def test_staff_without_it_give_their_code(provider_site, page):
    staff_sign_in(page, provider_site, STAFF)
    assert page.url == provider_site.url + "/login/code"
    [(secret,)] = provider_site.sql("SELECT totp_secret FROM people WHERE email = ?", STAFF)
    page.fill("#code", _next_code(provider_site, STAFF, secret))
    page.get_by_role("button", name="Bekræft").click()
    assert page.url == f"{provider_site.url}/d/{SLUG}/", page.inner_text("main")
    assert is_logged_in(page, provider_site)


def test_participant_signs_in_to_their_dialogue(provider_site, page):
    address = demo_participant(provider_site, 0)
    before = counts(provider_site)
    page.goto(f"{provider_site.url}/login/oidc/dialogue/{SLUG}")
    sign_in_at_provider(page, address)
    # The privacy notice comes first, as on a login link's page, with the choice to go on.
    assert NOTICE.match(page.url), page.inner_text("main")
    assert "Før du går videre" in page.inner_text("main")
    assert accessibility_violations(page) == []
    assert structure_problems(page) == []
    page.get_by_role("button", name="Fortsæt til dialogen").click()
    assert page.url == f"{provider_site.url}/d/{SLUG}/", page.inner_text("main")
    assert is_logged_in(page, provider_site)
    assert counts(provider_site) == before


def test_a_dialogue_without_provider_sign_in_has_no_such_page(provider_site, page):
    response = page.goto(f"{provider_site.url}/login/oidc/dialogue/no-such-dialogue")
    assert response.status == 404


@pytest.mark.parametrize(
    ("account", "message"),
    [
        (STAFF + "#other-audience", "kunne ikke kontrolleres"),
        (STAFF + "#expired", "er udløbet"),
    ],
    ids=["wrong-audience", "expired"],
)
def test_a_wrong_token_signs_nobody_in(provider_site, page, account, message):
    before = counts(provider_site)
    staff_sign_in(page, provider_site, account, mfa=True)
    assert page.url.startswith(provider_site.url + "/login/oidc/callback")
    assert message in page.inner_text("main")
    assert accessibility_violations(page) == []
    assert structure_problems(page) == []
    assert not is_logged_in(page, provider_site)
    assert counts(provider_site) == before


def test_a_replayed_callback_is_refused(provider_site, page, browser):
    address = demo_participant(provider_site, 1)
    page.goto(f"{provider_site.url}/login/oidc/dialogue/{SLUG}")
    with page.expect_request(lambda request: "/login/oidc/callback" in request.url) as callback:
        sign_in_at_provider(page, address)
    page.wait_for_url(NOTICE)
    before = counts(provider_site)
    replayed = page.goto(callback.value.url)
    assert replayed.status == 400
    assert "er brugt allerede" in page.inner_text("main")

    other = browser.new_context(locale="da-DK")
    try:
        stranger = other.new_page()
        response = stranger.goto(callback.value.url)
        assert response.status == 400
        assert not is_logged_in(stranger, provider_site)
    finally:
        other.close()
    assert counts(provider_site) == before


@pytest.mark.parametrize(
    ("start", "address", "message"),
    [
        ("/login/oidc", "nobody@unknown.example", "Der er ingen medarbejderkonto"),
        (f"/login/oidc/dialogue/{SLUG}", "nobody@unknown.example", "ikke på listen"),
        (f"/login/oidc/dialogue/{SLUG}", STAFF, "ikke på listen"),
    ],
    ids=["unknown-staff", "unknown-participant", "staff-as-participant"],
)
def test_someone_not_on_the_list_is_told_and_nothing_is_created(
    provider_site, page, start, address, message
):
    before = counts(provider_site)
    page.goto(provider_site.url + start)
    with page.expect_response(lambda response: "/login/oidc/callback" in response.url) as answer:
        sign_in_at_provider(page, address, mfa=True)
    assert answer.value.status == 403
    assert message in page.inner_text("main")
    assert not is_logged_in(page, provider_site)
    assert counts(provider_site) == before


@pytest.fixture
def open_dialogue(provider_site):
    """The demo dialogue open to addresses at open.example (five to a cohort), closed after."""
    provider_site.run("open-dialogue", SLUG, "--rule", "@open.example")
    try:
        yield provider_site
    finally:
        provider_site.run("open-dialogue", SLUG, "--off")


def join_with_provider(browser, site, address: str):
    """A newcomer opens the join link in a browser of their own and signs in at the provider."""
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    page.goto(f"{site.url}/join/{SLUG}")
    page.get_by_role("link", name="Tilmeld dig med din organisations konto").click()
    sign_in_at_provider(page, address)
    return context, page


def test_in_an_open_dialogue_the_cohorts_first_sign_ins_create_memberships(open_dialogue, browser):
    """Four newcomers wait, with nothing written; the fifth completes the cohort and is in."""
    site = open_dialogue
    before = counts(site)
    contexts = []
    try:
        for number in range(4):
            context, page = join_with_provider(browser, site, f"ny{number}@open.example")
            contexts.append(context)
            assert "Du er på listen" in page.inner_text("main")
            assert accessibility_violations(page) == []
            assert counts(site) == before
        context, page = join_with_provider(browser, site, "ny4@open.example")
        contexts.append(context)
        # In, and the dialogue's notice comes first, as for any provider sign-in.
        assert NOTICE.match(page.url), page.inner_text("main")
        assert "Velkommen. Du er tilmeldt dialogen." in page.inner_text("main")
        page.get_by_role("button", name="Fortsæt til dialogen").click()
        assert page.url == f"{site.url}/d/{SLUG}/", page.inner_text("main")
        assert is_logged_in(page, site)
    finally:
        for context in contexts:
            context.close()
    after = counts(site)
    assert (after["people"], after["memberships"]) == (
        before["people"] + 5,
        before["memberships"] + 5,
    )
    joined = site.sql(
        "SELECT people.email, memberships.department FROM people"
        " JOIN memberships ON memberships.person_id = people.id"
        " WHERE people.email LIKE '%@open.example'"
    )
    assert sorted(joined) == [(f"ny{number}@open.example", None) for number in range(5)]
    invited = [address for address, *_ in joined if site.mailed_links(address)]
    assert len(invited) == 5  # each got their personal link


def test_a_newcomer_the_rule_refuses_is_told_and_nothing_is_created(open_dialogue, page):
    before = counts(open_dialogue)
    page.goto(f"{open_dialogue.url}/join/{SLUG}")
    assert accessibility_violations(page) == []
    assert structure_problems(page) == []
    page.get_by_role("link", name="Tilmeld dig med din organisations konto").click()
    with page.expect_response(lambda response: "/login/oidc/callback" in response.url) as answer:
        sign_in_at_provider(page, "someone@elsewhere.example")
    assert answer.value.status == 403
    assert "din konto hører ikke til dem" in page.inner_text("main")
    assert accessibility_violations(page) == []
    assert not is_logged_in(page, open_dialogue)
    assert counts(open_dialogue) == before
