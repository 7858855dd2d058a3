"""Browser tests: the real server in its own process, Debian's Chromium driven by Playwright.

The server runs as a subprocess with its own instance folder and SQLite database, loaded with
the demo dialogue, exactly as `make run` would serve it.
"""

from __future__ import annotations

import datetime as dt
import email
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from email import policy
from pathlib import Path

import pyotp
import pytest

from tests.conftest import require

CHROMIUM = "/usr/bin/chromium"
AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
DIALOGUE = str(Path(sys.executable).with_name("dialogue"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: The demo's documented staff password (README).
STAFF_PASSWORD = "demo-dialog-2026"


@dataclass
class LiveServer:
    """Where the server listens, and what `dialogue demo` printed (login links)."""

    url: str
    env: dict
    demo_output: str

    def participant_links(self) -> list[str]:
        return re.findall(r"http://\S+/link/\S+", self.demo_output)

    def participant_logins(self) -> list[tuple[str, str]]:
        """(e-mail, link) of each demo participant, as `dialogue demo` printed them."""
        return re.findall(r"^\s+(\S+@\S+): (http://\S+/link/\S+)$", self.demo_output, re.M)

    @property
    def instance(self) -> Path:
        return Path(self.env["DIALOGUE_INSTANCE_PATH"])

    def sql(self, statement: str, *params) -> list[tuple]:
        """Run one SQL statement on the live server's database (as an operator could)."""
        database = sqlite3.connect(self.instance / "live.db", timeout=10)
        with closing(database) as connection, connection:
            return connection.execute(statement, params).fetchall()

    def end_all_sessions(self) -> None:
        """What an idle timeout does to every login: the server no longer knows the session."""
        self.run("end-sessions", "--all")

    def mailed_links(self, address: str) -> list[str]:
        """Login links mailed to ``address`` (the outbox folder), in no particular order.

        The outbox keeps no order on purpose (random names, dated to the day).
        """
        links = []
        for path in (self.instance / "outbox").glob("*.eml"):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if address.lower() in str(message["To"]).lower():
                body = message.get_body(("plain",)).get_content()
                links += re.findall(r"http://\S+/link/[\w-]+", body)
        return links

    def run(self, *args: str) -> str:
        """Run a `dialogue` command against the live server's database."""
        result = subprocess.run(
            [DIALOGUE, *args], env=self.env, capture_output=True, text=True, check=True
        )
        return result.stdout


def _next_code(live_server: LiveServer, address: str, secret: str) -> str:
    """A code the server will take: a time step later than the last one this person used.

    Tests log the same demo staff member in several times; a used step is refused (S7), so
    this waits for the next one when the window of one step ahead is used up too.
    """
    totp = pyotp.TOTP(secret)
    [(last,)] = live_server.sql("SELECT totp_last_counter FROM people WHERE email = ?", address)
    while True:
        now = totp.timecode(dt.datetime.now(dt.UTC))
        step = now if last is None or last < now else last + 1
        if step <= now + 1:
            return totp.generate_otp(step)
        time.sleep(1)


def complete_staff_login(page, live_server: LiveServer, address: str, link: str | None = None):
    """Log a staff member in as a person would, second factor included; return their TOTP key.

    By e-mail ``address`` and the demo password, or by a login ``link``. Then either the
    enrolment page (first login: the key is read off the page, as someone would type it into
    their app) or the code page (the key is stored already, as the demo's documented keys are).
    """
    if link:
        page.goto(link)
        page.get_by_role("button", name="Fortsæt til dialogen").click()
    else:
        page.goto(live_server.url + "/login")
        page.fill("#email", address)
        page.fill("#password", STAFF_PASSWORD)
        page.get_by_role("button", name="Log ind").click()
    if page.url.endswith("/login/code/setup"):
        secret = page.locator(".totp-secret").inner_text().replace(" ", "")
    else:
        assert page.url.endswith("/login/code"), page.url
        [(secret,)] = live_server.sql("SELECT totp_secret FROM people WHERE email = ?", address)
    page.fill("#code", _next_code(live_server, address, secret))
    page.get_by_role("button", name="Bekræft").click()
    assert "/login/code" not in page.url, page.inner_text("main")
    return secret


def demo_participant(live_server, index: int) -> str:
    """The e-mail address of one of the demo's participants (the operator can list them)."""
    (address,) = live_server.sql(
        "SELECT people.email FROM people JOIN memberships ON memberships.person_id = people.id"
        " WHERE lower(memberships.role) = 'participant' ORDER BY people.id LIMIT 1 OFFSET ?",
        20 + index,
    )[0]
    return address


def log_in_by_mailed_link(page, live_server, address: str) -> None:
    """Ask for a new link on the login page, take it from the outbox and use it."""
    before = set(live_server.mailed_links(address))
    page.goto(live_server.url + "/login/link")
    page.fill("#email", address)
    page.locator("main form button[type=submit], main form input[type=submit]").click()
    [link] = set(live_server.mailed_links(address)) - before
    page.goto(link)
    page.get_by_role("button", name="Fortsæt til dialogen").click()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90  # a loaded, shared machine is slow to start it
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start within 90 s")


@contextmanager
def serve(
    instance: Path, *, demo: bool = True, port: int | None = None, **settings: str
) -> Iterator[LiveServer]:
    """The app served from ``instance`` on ``port`` or a free one; ``settings`` add to its env."""
    port = port or _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DIALOGUE_INSTANCE_PATH": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'live.db'}",
        "PUBLIC_URL": url,
        **settings,
    }
    subprocess.run([DIALOGUE, "db", "upgrade"], env=env, check=True, capture_output=True)
    output = ""
    if demo:
        loaded = subprocess.run(
            [DIALOGUE, "demo"], env=env, check=True, capture_output=True, text=True
        )
        output = loaded.stdout
    process = subprocess.Popen(
        [DIALOGUE, "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(url, process)
        yield LiveServer(url, env, output)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app with the demo dialogue, served on a free loopback port."""
    # Analyses and imports run at once in the request, so the steps of a test follow in
    # order (the thread runner is the product's default; its own tests cover it).
    with serve(tmp_path_factory.mktemp("live"), JOBS_RUNNER="inline") as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's)."""
    require(shutil.which(CHROMIUM) is not None, "Chromium", "`make browser-deps` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies) and page per test."""
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    yield page
    context.close()


def accessibility_violations(page) -> list[dict]:
    """Serious and critical axe-core violations of WCAG 2.1 A/AA on the current page."""
    page.evaluate(AXE_SCRIPT.read_text())
    result = page.evaluate(
        "async tags => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


#: Structure axe reports only as "minor" or not at all, checked on every page all the same.
STRUCTURE_SCRIPT = """() => {
  const ids = [...document.querySelectorAll('[id]:not(input[type=hidden])')].map(e => e.id);
  const duplicates = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
  const nested = document.querySelectorAll(
    'a a, a button, button a, button button, a input, a select, a textarea, button input'
  ).length;
  return {h1: document.querySelectorAll('h1').length, duplicates, nested};
}"""


def structure_problems(page) -> list[str]:
    """Exactly one <h1>, unique ids and no interactive element inside another."""
    found = page.evaluate(STRUCTURE_SCRIPT)
    problems = []
    if found["h1"] != 1:
        problems.append(f"{found['h1']} h1 elements")
    if found["duplicates"]:
        problems.append(f"duplicate ids {found['duplicates']}")
    if found["nested"]:
        problems.append(f"{found['nested']} nested interactive elements")
    return problems


def screenshot(page, name: str) -> None:
    """Keep a picture of the page as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def pytest_collection_modifyitems(config, items):
    """Run the browser tests once: they serve from SQLite, so the PostgreSQL pass would repeat them.

    `make test` runs the suite again with ``TEST_DATABASE_URL`` set; these tests do not read it.
    """
    if not os.environ.get("TEST_DATABASE_URL"):
        return
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason="served from SQLite whatever the run's database: run once")
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(skip)
