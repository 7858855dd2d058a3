"""``make run``'s path: ``dialogue demo`` then ``dialogue run``, used through a real HTTP client.

The demo is loaded again with ``PUBLIC_URL`` pointing at the port the server gets, as ``make run
PORT=…`` does; the test follows a participant link it printed, logs in as each staff role with
the printed password and TOTP key, and fetches every page linked from each role's home page
and from the dialogue's page: none may answer 4xx or 5xx.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser

import pyotp
import pytest

from benchmarks.harness import free_port
from tests.e2e.conftest import DIALOGUE, ROOT, Demo, Site

PASSWORD = "demo-dialog-2026"
STARTUP = 60
#: Each role's home page links to more pages than this (a dozen or more in the demo).
MIN_LINKS = 10
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: Links that are not pages to read (they act, or leave the site).
SKIPPED = re.compile(r"^(mailto:|tel:|javascript:|#)|/logout\b")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


class Browser:
    """A visitor with cookies: urllib, following redirects like a browser."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, url: str) -> tuple[int, str, str]:
        """(status, final URL, text) of a GET."""
        return self._open(urllib.request.Request(urllib.parse.urljoin(self.base_url, url)))

    def post_form(self, url: str, page: str, **fields: str) -> tuple[int, str, str]:
        """Submit the form of ``page`` (read for its CSRF token) with ``fields``."""
        token = CSRF.search(page)
        assert token, f"no CSRF token on the page before POST {url}"
        data = urllib.parse.urlencode({"csrf_token": token.group(1), **fields}).encode()
        request = urllib.request.Request(urllib.parse.urljoin(self.base_url, url), data=data)
        return self._open(request)

    def _open(self, request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.url, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode("utf-8", "replace")

    def links(self, page: str, page_url: str) -> set[str]:
        """The site's own links on ``page``, as absolute URLs without fragments."""
        parser = _Links()
        parser.feed(page)
        found = set()
        for href in parser.hrefs:
            if SKIPPED.search(href):
                continue
            url = urllib.parse.urldefrag(urllib.parse.urljoin(page_url, href)).url
            if url.startswith(self.base_url + "/"):
                found.add(url)
        return found


def _answers(public_url: str) -> bool:
    try:
        return Browser(public_url).get("/healthz")[0] == 200
    except urllib.error.URLError:  # not listening yet
        return False


@contextlib.contextmanager
def served(site: Site, port: int, public_url: str) -> Iterator[subprocess.Popen]:
    """``dialogue run`` on ``port``, until it answers /healthz; stopped afterwards."""
    log = open(site.instance / "server.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(DIALOGUE), "run", "--host", "127.0.0.1", "--port", str(port)],
        cwd=site.instance,
        env=site.env(PUBLIC_URL=public_url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + STARTUP
        while not _answers(public_url):
            assert server.poll() is None, (site.instance / "server.log").read_text()
            assert time.monotonic() < deadline, "dialogue run did not answer in time"
            time.sleep(0.2)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def running_demo(writable_demo) -> Iterator[tuple[Demo, str]]:
    """The demo loaded again for a free port, as ``make run PORT=…`` does, and served there."""
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    result = writable_demo.run("demo", PUBLIC_URL=public_url)
    assert result.returncode == 0, result.stderr
    with served(writable_demo, port, public_url):
        yield Demo(writable_demo, result.stdout), public_url


def _unreachable(browser: Browser, start: str) -> dict[str, int]:
    """Every link of ``start`` and of the dialogue pages it links to, that does not answer 200."""
    status, home_url, home = browser.get(start)
    assert status == 200, home_url
    pages = browser.links(home, home_url)
    for url in sorted(pages):  # the dialogue's own page is where each role's work starts
        if re.search(r"/d/[^/]+/$", url):
            _, final, page = browser.get(url)
            pages |= browser.links(page, final)
    #: A home page that links to nothing would make this test pass for nothing.
    assert len(pages) >= MIN_LINKS, sorted(pages)
    failures = {}
    for url in sorted(pages):
        status, _, _ = browser.get(url)
        if status != 200:
            failures[url] = status
    return failures


def test_printed_links_and_keys_open_every_page_of_every_role(running_demo):
    demo, public_url = running_demo
    links = demo.participant_links
    assert links, demo.output
    assert all(link.startswith(public_url + "/link/") for link in links), "PUBLIC_URL's port"

    participant = Browser(public_url)
    status, url, page = participant.get(links[0])
    assert status == 200
    status, url, page = participant.post_form(url, page)
    assert status == 200
    assert "/link/" not in url
    failures = {"participant": _unreachable(participant, url)}

    keys = demo.staff_keys
    assert len(keys) == 3, demo.output
    for email, key in keys.items():
        staff = Browser(public_url)
        _, url, page = staff.get("/login")
        status, url, page = staff.post_form(url, page, email=email, password=PASSWORD)
        assert (status, urllib.parse.urlsplit(url).path) == (200, "/login/code"), page[:500]
        status, url, page = staff.post_form(url, page, code=pyotp.TOTP(key).now())
        assert status == 200, page[:500]
        assert "/login" not in url
        failures[email] = _unreachable(staff, url)
    assert failures == {role: {} for role in failures}


def test_make_run_points_the_printed_links_at_its_port():
    """``make run PORT=…`` loads the demo and serves with PUBLIC_URL on that port."""
    plan = subprocess.run(
        ["make", "-n", "run", "PORT=5077"],
        cwd=ROOT,
        env={key: value for key, value in os.environ.items() if key != "PUBLIC_URL"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    demo_line = next(line for line in plan.splitlines() if line.endswith("dialogue demo"))
    run_line = next(line for line in plan.splitlines() if "dialogue run" in line)
    for line in (demo_line, run_line):
        assert "PUBLIC_URL=http://127.0.0.1:5077" in line
    assert "--port 5077" in run_line
