"""Simulated participants for locust; ``benchmarks/load_test.py`` runs this file headless.

Settings come from the environment (the driver sets them):

- ``LOAD_TOKENS``: file with one raw login token per line (hashes are in the database);
- ``LOAD_SLUG``, ``LOAD_ROUND``: the seeded dialogue and its open challenges round;
- ``LOAD_RESULT``: where to write, at the end, the texts of every acknowledged contribution;
- ``LOAD_WAIT_MIN``, ``LOAD_WAIT_MAX``: a participant's think time between visits, in seconds.

User classes (chosen on the locust command line):

- ``Participant``: logs in by link, reads the dialogue's page, opens the round, writes, thinks
  (60–120 s by default: each participant logs in, submits at once, and comes back once or
  twice in a two-minute run, about 13 submissions a second from 1 000 participants).
- ``Submitter``: the submission path flat out (no think time), one POST per task, a fresh login
  every 25 submissions so that the per-session limit of 30 a minute is never reached.
- ``BareRequester``: the same POST against ``benchmarks/bare_app.py``, for the throughput ratio.
- ``FloorSubmitter``: the same POST against ``benchmarks/floor_app.py``, the chosen stack's floor.

Each simulated participant sends ``X-Forwarded-For`` with an address of its own, as a reverse
proxy would (the server runs with ``TRUSTED_PROXY_HOPS=1``), so per-address login limits apply
per participant and not to the load generator as a whole.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets
import threading

from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
NONCE = re.compile(r'name="nonce"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="nonce"')

_tokens: list[str] = []
_next_token = itertools.count()
_next_text = itertools.count()
_acked: list[str] = []
_lock = threading.Lock()
SUBMISSIONS_PER_LOGIN = 25


def _load_tokens() -> None:
    path = os.environ.get("LOAD_TOKENS")
    if path and not _tokens:
        with open(path) as handle:
            _tokens.extend(line.strip() for line in handle if line.strip())


@events.init.add_listener
def _on_init(**_kwargs):
    _load_tokens()


@events.quitting.add_listener
def _write_result(**_kwargs):
    path = os.environ.get("LOAD_RESULT")
    if path:
        with open(path, "w") as handle:
            json.dump({"acked": _acked}, handle)


def _address(number: int) -> str:
    """A distinct client address per login, written the way a proxy would forward it."""
    return f"127.77.{(number // 250) % 250}.{number % 250 + 1}"


def _text() -> str:
    number = next(_next_text)
    return f"Udfordring {number}-{secrets.token_hex(4)}: vi mangler tid til borgerne og overblik."


class _LoggedIn(FastHttpUser):
    """Shared: log in by link with the next unused token."""

    abstract = True
    slug = os.environ.get("LOAD_SLUG", "")
    round_id = os.environ.get("LOAD_ROUND", "")

    def log_in(self) -> None:
        """GET the link's confirmation page, POST its form; stop the user if that fails."""
        number = next(_next_token)
        if number >= len(_tokens):
            raise StopUser()
        token = _tokens[number]
        self.client.cookiejar.clear()
        self.headers = {"X-Forwarded-For": _address(number)}
        page = self.client.get(
            f"/link/{token}", name="/link/[token] (confirm)", headers=self.headers
        )
        match = CSRF.search(page.text or "")
        if page.status_code != 200 or match is None:
            raise StopUser()
        with self.client.post(
            f"/link/{token}",
            name="/link/[token] (log in)",
            data={"csrf_token": match.group(1)},
            headers=self.headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}")
                raise StopUser()
        self.submitted = 0

    def round_path(self) -> str:
        """The round page's path."""
        return f"/d/{self.slug}/rounds/{self.round_id}/"

    def open_round(self) -> tuple[str, str] | None:
        """GET the round page; its CSRF token and form nonce."""
        page = self.client.get(
            self.round_path(), name="/d/[slug]/rounds/[id]/", headers=self.headers
        )
        csrf, nonce = CSRF.search(page.text or ""), NONCE.search(page.text or "")
        if page.status_code != 200 or csrf is None or nonce is None:
            return None
        return csrf.group(1), next(g for g in nonce.groups() if g)

    def submit(self, csrf: str, nonce: str) -> None:
        """POST one contribution; a 303 is an acknowledgement and its text is remembered."""
        body = _text()
        with self.client.post(
            f"/d/{self.slug}/rounds/{self.round_id}/contributions",
            name="/d/[slug]/rounds/[id]/contributions (submit)",
            data={"csrf_token": csrf, "nonce": nonce, "body": body},
            headers=self.headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 303:
                with _lock:
                    _acked.append(body)
            else:
                response.failure(f"submit answered {response.status_code}")
        self.submitted += 1


class Participant(_LoggedIn):
    """A participant's visit: dialogue page, round page, one contribution; then think."""

    wait_time = between(
        float(os.environ.get("LOAD_WAIT_MIN", "60")), float(os.environ.get("LOAD_WAIT_MAX", "120"))
    )

    def on_start(self) -> None:
        """Log in once, by link."""
        self.log_in()

    @task
    def visit(self) -> None:
        """Dialogue page, round page, one contribution."""
        if self.submitted >= SUBMISSIONS_PER_LOGIN:
            return
        self.client.get(f"/d/{self.slug}/", name="/d/[slug]/ (dashboard)", headers=self.headers)
        form = self.open_round()
        if form is not None:
            self.submit(*form)


class Submitter(_LoggedIn):
    """The submission path alone, as fast as the server takes it."""

    def on_start(self) -> None:
        """Log in with a fresh link and keep the round's form."""
        self.log_in()
        self.form = self.open_round()
        if self.form is None:
            raise StopUser()

    @task
    def submit_one(self) -> None:
        """One POST with a new nonce (its 303 is not followed)."""
        if self.submitted >= SUBMISSIONS_PER_LOGIN:
            self.on_start()
        self.submit(self.form[0], secrets.token_urlsafe(16))


class BareRequester(FastHttpUser):
    """The same form POST against a bare Flask endpoint (``benchmarks/bare_app.py``)."""

    @task
    def post(self) -> None:
        """One form POST."""
        self.client.post(
            "/bare",
            name="/bare (submit)",
            data={"csrf_token": "x" * 90, "nonce": secrets.token_urlsafe(16), "body": _text()},
            allow_redirects=False,
        )


class FloorSubmitter(FastHttpUser):
    """The same POST against ``benchmarks/floor_app.py``: signed in, with a CSRF token."""

    def on_start(self) -> None:
        """Sign in and keep the CSRF token."""
        self.csrf = self.client.get("/floor/login", name="/floor/login").text

    @task
    def post(self) -> None:
        """One form POST, answered 303 when saved."""
        with self.client.post(
            "/floor",
            name="/floor (submit)",
            data={"csrf_token": self.csrf, "nonce": secrets.token_urlsafe(16), "body": _text()},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 303:
                response.failure(f"floor answered {response.status_code}")
