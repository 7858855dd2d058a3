"""Two app servers, one PostgreSQL database, one Redis: no server keeps what another needs.

Two gunicorn processes (one worker each) on two loopback ports share a fresh PostgreSQL
database and a Redis database of their own. A participant logs in on A and carries on with the
same cookie on B; logging out on B ends the session on A too. Six wrong logins for one address,
alternating between the servers, get 429 on the sixth. Runs only when ``TEST_DATABASE_URL`` is
PostgreSQL (SQLite is one machine's file) and Redis answers on 127.0.0.1:6379.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from dialogue.auth.services.logins import issue_login_link
from dialogue.core import migrate
from dialogue.core.db import Session
from tests.conftest import TEST_SECRETS, require
from tests.factories import make_dialogue, make_member

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
#: This test's own Redis database; it is emptied at the start of the test.
REDIS_DB = 9
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
#: This run's own keys in the shared Redis.
SESSION_PREFIX = f"test-sessions-{uuid.uuid4().hex[:8]}"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

pytestmark = pytest.mark.skipif(
    make_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://").get_backend_name() != "postgresql",
    reason="several app servers need a shared database server: set TEST_DATABASE_URL",
)


def redis_or_skip():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(f"SELECT {REDIS_DB}\r\nFLUSHDB\r\n".encode())
            reply = b""
            deadline = time.monotonic() + 5
            while reply.count(b"\r\n") < 2 and time.monotonic() < deadline:
                reply += sock.recv(100)
    except OSError:
        require(False, "Redis on 127.0.0.1:6379", "`make services` starts it")
    assert reply.count(b"+OK") == 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn with one worker; requests carry cookies by hand (no shared cookie jar)."""

    def __init__(self, database_url: str, instance: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        instance.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            **TEST_SECRETS,
            "DATABASE_URL": database_url,
            "DIALOGUE_INSTANCE_PATH": str(instance),
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            # Logins must be seen by both servers: the session store in Redis, not a file.
            "SESSION_STORE_URL": REDIS_URL,
            "SESSION_STORE_PREFIX": SESSION_PREFIX,
            "PUBLIC_URL": self.base,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_ACCESSLOG": "",
        }
        env.pop("REDIS_URL", None)
        self.log = open(instance / "server.log", "wb")  # noqa: SIM115 — closed in stop()
        self.process = subprocess.Popen(
            [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "dialogue.wsgi:app"],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=self.log,
        )

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server on {self.port} exited")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server on {self.port} did not start")

    def request(self, path, cookie="", data=None):
        """(status, body, session cookie or the one sent) without following redirects."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        if cookie:
            request.add_header("Cookie", cookie)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            response = opener.open(request, timeout=10)
        except urllib.error.HTTPError as exc:
            response = exc
        set_cookie = [v for k, v in response.headers.items() if k.lower() == "set-cookie"]
        for value in set_cookie:
            if value.startswith("session="):
                cookie = value.split(";", 1)[0]
        return response.status, response.read().decode(errors="replace"), cookie

    def form(self, path, cookie="", **fields):
        """GET the form, POST it with its CSRF token; (status, body, cookie)."""
        _, page, cookie = self.request(path, cookie)
        token = CSRF.search(page).group(1)
        return self.request(path, cookie, {"csrf_token": token, **fields})

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def two_servers(fresh_database_url, app_factory, tmp_path):
    redis_or_skip()
    app = app_factory(fresh_database_url)
    migrate.upgrade(app)
    Session.remove()
    with app.app_context():
        dialogue = make_dialogue()
        participant = make_member(dialogue)
        token = issue_login_link(participant, dt.timedelta(hours=1))
        slug = dialogue.slug
        Session.commit()
        Session.remove()
    servers = [Server(fresh_database_url, tmp_path / name) for name in ("a", "b")]
    try:
        for server in servers:
            server.wait_until_up()
        yield servers, slug, token
    finally:
        for server in servers:
            server.stop()


def test_a_session_started_on_one_server_works_on_the_other(two_servers):
    (a, b), slug, token = two_servers
    status, _, cookie = a.form(f"/link/{token}")
    assert status == 302
    assert cookie.startswith("session=")

    status, page, _ = b.request(f"/d/{slug}/", cookie)
    assert status == 200
    assert f"/d/{slug}/my-input" in page  # the participant's own page, served by B

    status, _, cookie = b.form("/logout", cookie)
    assert status == 302
    status, _, _ = a.request(f"/d/{slug}/", cookie)
    assert status == 302  # logged out on B: A sends the replayed cookie to the login page


def test_login_rate_limits_hold_across_servers(two_servers):
    (a, b), _, _ = two_servers
    email = f"target-{uuid.uuid4().hex[:8]}@example.org"
    statuses = []
    for attempt in range(6):
        server = (a, b)[attempt % 2]
        status, _, _ = server.form("/login", email=email, password="not the password")
        statuses.append(status)
    assert statuses[:5] == [422] * 5
    assert statuses[5] == 429
    # Either server refuses the next attempt too.
    assert a.form("/login", email=email, password="x")[0] == 429
