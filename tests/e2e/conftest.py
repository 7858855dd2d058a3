"""Fixtures of the end-to-end tests: the installed ``dialogue`` command against a real database.

Nothing here builds an app, pushes a context or patches the product: each test runs the console
script in a subprocess with only environment variables, as a user or an operator does. The demo
is built once per session with ``dialogue demo`` (SQLite file, or a fresh PostgreSQL database on
the server of ``TEST_DATABASE_URL``); a test that writes gets a copy of it.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from benchmarks.harness import _admin_engine, cloned_database

ROOT = Path(__file__).resolve().parents[2]
#: The console script ``pip install`` made, beside the interpreter running the tests.
DIALOGUE = Path(sys.executable).parent / "dialogue"
SECRETS = {
    "SECRET_KEY": "test-secret-key-e2e-" + "k" * 32,
    "ANON_SECRET": "test-anon-secret-e2e-" + "a" * 32,
}
#: Settings of the caller's shell that would point a subprocess elsewhere than its test says.
CLEARED = ("DATABASE_URL", "REDIS_URL", "JOBS_RUNNER", "PUBLIC_URL", "TEST_DATABASE_URL")
#: The demo dialogue is Danish; English by default makes a message in the wrong language show.
DEFAULT_LANGUAGE = "en"
TIMEOUT = 300


@dataclass(frozen=True)
class Site:
    """A database and an instance folder that the installed command works on."""

    database_url: str
    instance: Path

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a subprocess: the caller's, minus settings the test decides."""
        env = {key: value for key, value in os.environ.items() if key not in CLEARED}
        env.update(SECRETS)
        env |= {
            "DATABASE_URL": self.database_url,
            "DIALOGUE_INSTANCE_PATH": str(self.instance),
            "DIALOGUE_DEFAULT_LANGUAGE": DEFAULT_LANGUAGE,
            **extra,
        }
        return env

    def run(
        self, *args: str, cwd: Path | None = None, stdin: str | None = None, **env: str
    ) -> subprocess.CompletedProcess:
        """Run ``dialogue ARGS`` to its end; the output is text."""
        return subprocess.run(
            [str(DIALOGUE), *map(str, args)],
            cwd=cwd or self.instance,
            env=self.env(**env),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )


def _backend() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return "postgresql" if url.startswith("postgresql") else "sqlite"


@contextlib.contextmanager
def _empty_database(workdir: Path) -> Iterator[str]:
    """An empty database of the run's backend, dropped afterwards."""
    if _backend() == "sqlite":
        yield f"sqlite:///{workdir / 'demo.db'}"
        return
    admin = _admin_engine(os.environ["TEST_DATABASE_URL"])
    name = f"e2e_demo_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True)
class Demo:
    """The demo as ``dialogue demo`` built it, and what it printed."""

    site: Site
    output: str

    @property
    def participant_links(self) -> list[str]:
        """The one-time links printed for participants."""
        return re.findall(r"https?://\S+/link/\S+", self.output)

    @property
    def staff_keys(self) -> dict[str, str]:
        """Each staff e-mail with the TOTP key printed beside it (spaces removed)."""
        found = re.findall(r"(\S+@demo\.example)\s+key ([A-Z2-7 ]+?)\s*$", self.output, re.M)
        return {email: key.replace(" ", "") for email, key in found}


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Iterator[Demo]:
    """The demo dialogue, built once per session by the installed ``dialogue demo``.

    Tests that only read use it as it is; tests that write take :func:`writable_demo`.
    """
    workdir = tmp_path_factory.mktemp("e2e-demo")
    with _empty_database(workdir) as url:
        site = Site(url, workdir / "instance")
        site.instance.mkdir()
        result = site.run("demo")
        assert result.returncode == 0, result.stderr
        yield Demo(site, result.stdout)


@pytest.fixture
def writable_demo(demo, tmp_path) -> Iterator[Site]:
    """A copy of the demo of one test's own: it may write whatever it likes."""
    with cloned_database(demo.site.database_url, tmp_path / "db") as url:
        instance = tmp_path / "instance"
        instance.mkdir()
        yield Site(url, instance)
