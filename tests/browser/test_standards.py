"""Every page of the demo, for every role, passes pa11y and the Nu HTML Checker (TARGETS R7).

Each role logs in and crawls its pages as the axe-core test does (same links, same depth);
anonymous visitors crawl the login, public, statement and error pages. pa11y audits each page
with WCAG2AA through both of its runners (axe and HTML_CodeSniffer) in Debian's Chromium; the
HTML the server sent for each page goes through the Nu HTML Checker (vnu.jar from npm, on the
machine's Java). Both must report 0 errors.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import ARTIFACTS, CHROMIUM, demo_participant, log_in_by_mailed_link
from tests.browser.test_accessibility import DEMO_SLUG, crawl, log_in
from tests.conftest import require

pytestmark = pytest.mark.browser

HERE = Path(__file__).parent
PA11Y_SCRIPT = HERE / "pa11y_pages.mjs"
PA11Y = HERE / "node_modules" / "pa11y"
VNU_JAR = HERE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
DEPS = "`make browser-deps` installs it"
ROLES = ["anonymous", "participant", "consultant", "management", "admin"]
#: A demo participant of its own: the printed links are single-use and taken by other tests.
PARTICIPANT = 12
ANONYMOUS_START = [
    "/",
    "/login",
    "/login/link",
    "/accessibility",
    f"/p/{DEMO_SLUG}/",
    f"/p/{DEMO_SLUG}/en/",
    "/no-such-page",
]


@dataclass
class Crawl:
    """The pages one role reached: their URLs, the HTML the server sent, the login cookie."""

    role: str
    urls: list[str]
    html: dict[str, str]
    cookie: str


def report(name: str, errors: dict | list) -> dict | list:
    """Keep findings (or the pages checked) as a test artifact: CI shows only a diff's start."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_text(json.dumps(errors, indent=2, ensure_ascii=False))
    return errors


@pytest.fixture(scope="module", params=ROLES)
def crawled(request, live_server, browser) -> Crawl:
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    try:
        if request.param == "anonymous":
            start = [live_server.url + path for path in ANONYMOUS_START]
        else:
            if request.param == "participant":
                address = demo_participant(live_server, PARTICIPANT)
                log_in_by_mailed_link(page, live_server, address)
            else:
                log_in(page, live_server, request.param)
            start = [page.url]
        html = {}
        for url in crawl(page, live_server, start):
            html[url] = context.request.get(url).text()
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies())
        report(f"pages-{request.param}.json", list(map(short, html)))
        return Crawl(request.param, list(html), html, cookie)
    finally:
        context.close()


def short(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_pa11y_finds_no_wcag2aa_error(crawled):
    require(PA11Y.is_dir() and shutil.which("node") is not None, "pa11y (npm) or node", DEPS)
    request = {"urls": crawled.urls, "cookie": crawled.cookie, "chromium": CHROMIUM}
    result = subprocess.run(
        ["node", str(PA11Y_SCRIPT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=HERE,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    errors = json.loads(result.stdout)
    assert set(errors) == set(crawled.urls)
    found = {short(url): issues for url, issues in errors.items() if issues}
    assert report(f"pa11y-{crawled.role}.json", found) == {}


def test_every_page_is_valid_html(crawled, tmp_path):
    require(VNU_JAR.is_file(), "vnu-jar (npm)", DEPS)
    require(shutil.which("java") is not None, "Java (Debian's default-jre-headless)", DEPS)
    files = {}
    for number, (url, html) in enumerate(crawled.html.items()):
        path = tmp_path / f"page{number:03}.html"
        path.write_text(html, encoding="utf-8")
        files[path.name] = url
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--exit-zero-always"]
        + [str(tmp_path / name) for name in sorted(os.listdir(tmp_path))],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    errors: dict[str, list[str]] = {}
    for message in json.loads(result.stderr)["messages"]:
        url = short(files[Path(urlsplit(message["url"]).path).name])
        errors.setdefault(url, []).append(f"{message['message']} [{message.get('extract', '')}]")
    assert report(f"vnu-{crawled.role}.json", errors) == {}
