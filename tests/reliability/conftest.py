"""Fixtures for tests that run the real server (gunicorn) against a real database.

Each test gets its own database of the backend the run uses: a SQLite file by default, a fresh
PostgreSQL database on the server of ``TEST_DATABASE_URL`` when that is set. Only 127.0.0.1.
"""

from __future__ import annotations

import os

import pytest

from benchmarks.harness import GunicornServer, cloned_database, scratch_database
from tests.reliability.helpers import run_backend


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """One migrated, empty database of the run's backend; tests get copies of it."""
    with scratch_database(
        run_backend(),
        tmp_path_factory.mktemp("template"),
        pg_url=os.environ.get("TEST_DATABASE_URL"),
    ) as url:
        yield url


@pytest.fixture
def database(migrated_template, tmp_path):
    """A migrated, empty database of the run's backend, dropped afterwards."""
    with cloned_database(migrated_template, tmp_path / "db") as url:
        yield url


@pytest.fixture
def start_server(tmp_path):
    """Start gunicorn servers; all are stopped after the test, whatever happened."""
    servers = []

    def start(database_url, *, env=None, **options):
        env = {"TRUSTED_PROXY_HOPS": "1", **(env or {})}
        server = GunicornServer(
            database_url, tmp_path / f"server{len(servers)}", env=env, **options
        )
        servers.append(server)
        return server.start()

    yield start
    for server in servers:  # the database is thrown away: no need to wait for a clean stop
        server.kill_all()
        server.stop()
