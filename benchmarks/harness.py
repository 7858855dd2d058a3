"""Shared machinery of the load and fault scripts and of ``tests/reliability``.

- ``scratch_database``: a fresh, migrated SQLite file or PostgreSQL database, dropped after.
- ``seed``: one dialogue with an open challenges round and N participants holding login links,
  written with bulk inserts; the raw tokens are returned, only their hashes stored.
- ``GunicornServer``: the real server (``gunicorn.conf.py`` + ``dialogue.wsgi:app``) on a free
  loopback port, with its master and worker PIDs, stopped for sure on exit.
- ``Participant``: a tiny HTTP client (standard library only) that logs in by link and submits
  contributions the way a browser does: GET the page, read CSRF token and nonce, POST.

Everything talks to 127.0.0.1 only, and every wait has a deadline.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import http.cookies
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import Engine, make_url

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SECRETS = {
    "SECRET_KEY": "load-test-secret-key-" + "k" * 32,
    "ANON_SECRET": "load-test-anon-secret-" + "a" * 32,
}
PG_ADMIN_URL = os.environ.get(
    "LOAD_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
NONCE = re.compile(r'name="nonce"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="nonce"')


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def engine_for(url: str) -> Engine:
    """A plain engine (no app, no scoped session) for seeding and counting."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed)


def _admin_engine(base_url: str | None) -> Engine:
    parsed = make_url(base_url or PG_ADMIN_URL)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")


def migrate(url: str, instance: Path) -> None:
    """Bring the database to the newest revision with the product's own command."""
    env = {**os.environ, **SECRETS, "DATABASE_URL": url, "DIALOGUE_INSTANCE_PATH": str(instance)}
    subprocess.run(
        [str(VENV_BIN / "dialogue"), "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


@contextlib.contextmanager
def scratch_database(backend: str, workdir: Path, pg_url: str | None = None) -> Iterator[str]:
    """A migrated, empty database: ``backend`` is "sqlite" or "postgresql"; dropped after use.

    ``pg_url`` points at the PostgreSQL server to use (any database on it); default: local.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'load.db'}"
        migrate(url, workdir / "instance")
        yield url
        return
    name = f"dialogue_load_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine(pg_url)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url, workdir / "instance")
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def cloned_database(template_url: str, workdir: Path) -> Iterator[str]:
    """A copy of a migrated, unused database (much faster than migrating again); dropped after.

    SQLite: a file copy, safe because nothing has the template open. PostgreSQL: CREATE
    DATABASE ... TEMPLATE.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    template = make_url(template_url)
    if template.get_backend_name() == "sqlite":
        target = workdir / "clone.db"
        # SQLite's backup API, not a file copy: the template's last pages may still be in its
        # write-ahead log, which a copy of the main file alone would leave behind.
        with (
            contextlib.closing(sqlite3.connect(template.database)) as source,
            contextlib.closing(sqlite3.connect(target)) as clone,
        ):
            source.backup(clone)
        yield f"sqlite:///{target}"
        return
    name = f"dialogue_clone_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine(template_url)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template.database}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Seeded:
    """What a load run needs to know about the seeded dialogue."""

    slug: str
    round_id: int
    closes_at: dt.datetime
    tokens: list[str] = field(repr=False)


def seed(
    url: str,
    participants: int,
    *,
    closes_in: dt.timedelta = dt.timedelta(days=6),
    max_contributions: int = 50,
) -> Seeded:
    """One dialogue, an open challenges round, ``participants`` members with fresh login links."""
    from dialogue.auth.services.logins import token_hash
    from dialogue.core.models import Dialogue, Membership, Person, Role, Round, RoundKind

    now = dt.datetime.now(dt.UTC)
    slug = f"load-{uuid.uuid4().hex[:8]}"
    tokens = [secrets.token_urlsafe(32) for _ in range(participants)]
    engine = engine_for(url)
    with engine.begin() as connection:
        dialogue_id = connection.execute(
            insert(Dialogue.__table__)
            .values(
                slug=slug,
                title="Load test",
                description="",
                language="da",
                timezone="Europe/Copenhagen",
                is_public=False,
                min_group_size=5,
            )
            .returning(Dialogue.__table__.c.id)
        ).scalar_one()
        round_id = connection.execute(
            insert(Round.__table__)
            .values(
                dialogue_id=dialogue_id,
                position=1,
                kind=RoundKind.CHALLENGES,
                title="Udfordringer",
                prompt="Hvilke udfordringer står vi over for?",
                opens_at=now - dt.timedelta(days=1),
                closes_at=now + closes_in,
                settings={"max_contributions": max_contributions},
                is_published=False,
            )
            .returning(Round.__table__.c.id)
        ).scalar_one()
        prefix = slug.replace("-", "")
        connection.execute(
            insert(Person.__table__),
            [
                {"email": f"p{n}@{prefix}.example.org", "name": f"P {n}", "is_active": True}
                for n in range(participants)
            ],
        )
        ids = dict(
            connection.execute(
                select(Person.__table__.c.email, Person.__table__.c.id).where(
                    Person.__table__.c.email.like(f"%@{prefix}.example.org")
                )
            ).all()
        )
        expires = now + dt.timedelta(days=2)
        connection.execute(
            insert(Membership.__table__),
            [
                {
                    "person_id": ids[f"p{n}@{prefix}.example.org"],
                    "dialogue_id": dialogue_id,
                    "role": Role.PARTICIPANT,
                    "department": f"Afdeling {n % 7}",
                    "role_group": "Medarbejder",
                    "token_hash": token_hash(tokens[n]),
                    "token_expires_at": expires,
                }
                for n in range(participants)
            ],
        )
    engine.dispose()
    return Seeded(slug=slug, round_id=round_id, closes_at=now + closes_in, tokens=tokens)


def stored_bodies(url: str, round_id: int) -> list[str]:
    """Every contribution text stored in the round (duplicates kept)."""
    from dialogue.core.models import Contribution

    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            table = Contribution.__table__
            return list(
                connection.execute(select(table.c.body).where(table.c.round_id == round_id))
                .scalars()
                .all()
            )
    finally:
        engine.dispose()


def count_rows(url: str, round_id: int) -> int:
    """How many contributions the round holds."""
    from dialogue.core.models import Contribution

    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            table = Contribution.__table__
            return connection.execute(
                select(func.count()).select_from(table).where(table.c.round_id == round_id)
            ).scalar_one()
    finally:
        engine.dispose()


def count_vectors(url: str, round_id: int) -> int:
    """How many of the round's contributions have a stored embedding."""
    from dialogue.core.models import Contribution, ContributionEmbedding

    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            table, vectors = Contribution.__table__, ContributionEmbedding.__table__
            return connection.execute(
                select(func.count())
                .select_from(vectors.join(table, table.c.id == vectors.c.contribution_id))
                .where(table.c.round_id == round_id)
            ).scalar_one()
    finally:
        engine.dispose()


@contextlib.contextmanager
def embedding_worker(
    server: GunicornServer, *, enabled: bool = True
) -> Iterator[subprocess.Popen | None]:
    """``dialogue embed-worker`` beside ``server``, as ``dialogue run`` starts it beside its own.

    None when not ``enabled`` or the ``semantic`` extra is not installed (then nothing embeds,
    as in ``make run``).
    """
    from analysis.embed import semantic_installed

    if not enabled or not semantic_installed():
        yield None
        return
    log = open(server.workdir / "embed-worker.log", "ab")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [str(VENV_BIN / "dialogue"), "embed-worker"],
        cwd=ROOT,
        env=server.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()


def sqlite_integrity(url: str) -> str:
    """``PRAGMA integrity_check`` of a SQLite database ("ok" when sound)."""
    import sqlite3

    path = make_url(url).database
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting to be reaped does not count)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class GunicornServer:
    """gunicorn with the production config file, serving ``app`` on a free loopback port."""

    def __init__(
        self,
        database_url: str,
        workdir: Path,
        *,
        workers: int = 2,
        app: str = "dialogue.wsgi:app",
        env: dict[str, str] | None = None,
        extra_args: tuple[str, ...] = (),
    ):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.log_path = workdir / f"gunicorn-{self.port}.log"
        self.workers = workers
        self.app = app
        self.extra_args = extra_args
        workdir.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            **SECRETS,
            "DATABASE_URL": database_url,
            "DIALOGUE_INSTANCE_PATH": str(workdir / "instance"),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(workers),
            "PYTHONPATH": str(ROOT),
            **(env or {}),
        }
        self.process: subprocess.Popen | None = None
        self._log = None

    def start(self, timeout: float = 120.0) -> GunicornServer:
        """Start and wait until every worker answers /healthz (or ``timeout`` passes)."""
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        command = [
            str(VENV_BIN / "gunicorn"),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            *self.extra_args,
            self.app,
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early; see {self.log_path}")
            if len(self.worker_pids()) >= self.workers and self._healthy():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not come up in {timeout} s; see {self.log_path}")

    def _healthy(self) -> bool:
        try:
            status, _, _ = request("GET", self.base_url + "/healthz", timeout=2)
        except OSError:
            return False
        return status in (200, 404, 503)  # answering at all is enough (bare app: no healthz)

    def worker_pids(self) -> list[int]:
        """The master's children (its workers), like ``pgrep -P <master>``."""
        if self.process is None:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:
                    found.append(int(entry.name))
        return sorted(found)

    def kill_all(self) -> None:
        """SIGKILL the master and every worker at once, as a power cut would."""
        pids = self.worker_pids()
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
            time.sleep(0.02)

    def stop(self, *, graceful: bool = True) -> None:
        """Stop: graceful (SIGTERM) or quick (SIGQUIT); SIGKILL if still running after 15 s."""
        if self.process is not None and self.process.poll() is None:
            pids = self.worker_pids()
            self.process.send_signal(signal.SIGTERM if graceful else signal.SIGQUIT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_text(self) -> str:
        """What gunicorn and the app wrote so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> GunicornServer:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


def request(
    method: str,
    url: str,
    *,
    body: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, dict[str, str], str]:
    """One HTTP request on a fresh connection: (status, lower-cased headers, text)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        payload = urllib.parse.urlencode(body) if body is not None else None
        sent_headers = {"Connection": "close", **(headers or {})}
        if payload is not None:
            sent_headers["Content-Type"] = "application/x-www-form-urlencoded"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, body=payload, headers=sent_headers)
        response = connection.getresponse()
        received = {}
        for name, value in response.getheaders():
            key = name.lower()
            received[key] = f"{received[key]}\n{value}" if key in received else value
        return response.status, received, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


class Participant:
    """A browser, reduced to what logging in by link and contributing need."""

    def __init__(
        self,
        base_url: str,
        slug: str,
        round_id: int,
        *,
        address: str | None = None,
        timeout: float = 15.0,
    ):
        self.base_url = base_url
        #: Sent as X-Forwarded-For, for servers run with TRUSTED_PROXY_HOPS=1 (as behind a proxy).
        self.address = address
        self.slug = slug
        self.round_id = round_id
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def _call(self, method: str, path: str, body: dict[str, str] | None = None):
        headers = {"X-Forwarded-For": self.address} if self.address else {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status, received, page = request(
            method, self.base_url + path, body=body, headers=headers, timeout=self.timeout
        )
        for line in received.get("set-cookie", "").split("\n"):
            if line:
                cookie = http.cookies.SimpleCookie(line)
                for name, morsel in cookie.items():
                    self.cookies[name] = morsel.value
        return status, received, page

    def log_in(self, token: str) -> None:
        """GET the confirmation page, POST its form; raise unless we end up logged in."""
        status, _, page = self._call("GET", f"/link/{token}")
        if status != 200:
            raise RuntimeError(f"link page answered {status}")
        self.csrf = CSRF.search(page).group(1)
        status, _, _ = self._call("POST", f"/link/{token}", {"csrf_token": self.csrf})
        if status != 302:
            raise RuntimeError(f"link login answered {status}")

    def round_path(self) -> str:
        """The round's page."""
        return f"/d/{self.slug}/rounds/{self.round_id}/"

    def open_round(self) -> str:
        """GET the round page and keep its CSRF token; return the form's nonce."""
        status, _, page = self._call("GET", self.round_path())
        if status != 200:
            raise RuntimeError(f"round page answered {status}")
        self.csrf = CSRF.search(page).group(1)
        match = NONCE.search(page)
        return next(g for g in match.groups() if g) if match else secrets.token_urlsafe(16)

    def submit(self, body: str, nonce: str) -> int:
        """POST one contribution; the status (303 = acknowledged)."""
        status, _, _ = self._call(
            "POST",
            f"/d/{self.slug}/rounds/{self.round_id}/contributions",
            {"csrf_token": self.csrf, "nonce": nonce, "body": body},
        )
        return status


def scratch_dir(prefix: str) -> Path:
    """A fresh temporary folder for one run's databases, logs and instance files."""
    return Path(tempfile.mkdtemp(prefix=prefix))
