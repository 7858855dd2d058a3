"""A database that is briefly unavailable gives a friendly 503 and no half-written state.

- PostgreSQL unreachable (nothing listens on the port): pages and /healthz answer 503.
- PostgreSQL backend terminated in the middle of a submission (``pg_terminate_backend`` while
  the request waits on a table lock): 503, nothing stored; the same form sent again is stored
  once, and the app recovers without a restart.
- SQLite file that cannot be opened: 503. SQLite locked by another writer for a moment: the
  submission waits its turn and is stored once.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from benchmarks.harness import count_rows, engine_for, free_port, request, seed
from tests.reliability.helpers import logged_in, run_backend

pytestmark = pytest.mark.slow
FRIENDLY = "Midlertidigt utilgængelig"


def assert_friendly_503(status, page):
    assert status == 503
    assert FRIENDLY in page
    assert "Traceback" not in page
    assert "sqlalchemy" not in page.lower()


def test_postgresql_nobody_listening_gives_503(start_server, tmp_path):
    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/dialogue"
    server = start_server(nowhere, workers=1)
    status, _, body = request("GET", server.base_url + "/healthz")
    assert status == 503
    assert '"database":"unreachable"' in body.replace(" ", "")
    assert_friendly_503(*request("GET", server.base_url + "/link/some-token")[::2])
    assert_friendly_503(*request("GET", server.base_url + "/")[::2])


def test_sqlite_file_that_cannot_be_opened_gives_503(start_server, tmp_path):
    missing = f"sqlite:///{tmp_path / 'no-such-folder' / 'dialogue.db'}"
    server = start_server(missing, workers=1)
    assert request("GET", server.base_url + "/healthz")[0] == 503
    assert_friendly_503(*request("GET", server.base_url + "/link/some-token")[::2])


@pytest.mark.skipif(run_backend() != "sqlite", reason="SQLite locking")
def test_sqlite_locked_for_a_moment_the_submission_waits_and_is_stored_once(database, start_server):
    seeded = seed(database, 1)
    server = start_server(database, workers=2)
    (person,) = logged_in(server, seeded, 1)
    blocker = sqlite3.connect(
        make_url(database).database, isolation_level=None, check_same_thread=False
    )
    blocker.execute("BEGIN EXCLUSIVE")
    threading.Timer(1.0, blocker.rollback).start()
    started = time.monotonic()
    assert person.submit("Skrevet mens databasen var låst", "locked-1") == 303
    assert time.monotonic() - started >= 0.9
    blocker.close()
    assert count_rows(database, seeded.round_id) == 1


def backend_pids_waiting_on_a_lock(admin, database_name):
    return (
        admin.execute(
            text(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = :name AND wait_event_type = 'Lock'"
            ),
            {"name": database_name},
        )
        .scalars()
        .all()
    )


@pytest.mark.skipif(run_backend() != "postgresql", reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_postgresql_connection_killed_mid_submission_gives_503_and_stores_nothing(
    database, start_server
):
    seeded = seed(database, 1)
    server = start_server(database, workers=1)
    (person,) = logged_in(server, seeded, 1)
    name = make_url(database).database
    engine = engine_for(database)
    outcome = {}
    with (
        engine.connect() as locker,
        engine.connect().execution_options(isolation_level="AUTOCOMMIT") as admin,
    ):
        locker.execute(text("LOCK TABLE contributions IN ACCESS EXCLUSIVE MODE"))
        thread = threading.Thread(
            target=lambda: outcome.update(
                result=person._call(
                    "POST",
                    f"/d/{seeded.slug}/rounds/{seeded.round_id}/contributions",
                    {"csrf_token": person.csrf, "nonce": "cut-1", "body": "Afbrudt midt i"},
                )
            )
        )
        thread.start()
        deadline = time.monotonic() + 10
        waiting = []
        while not waiting and time.monotonic() < deadline:
            waiting = backend_pids_waiting_on_a_lock(admin, name)
            time.sleep(0.05)
        assert waiting, "the submission never reached the database"
        for pid in waiting:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        thread.join(timeout=15)
        locker.rollback()
    engine.dispose()
    status, _, page = outcome["result"]
    assert_friendly_503(status, page)
    assert count_rows(database, seeded.round_id) == 0

    # The pool notices the dead connection; the same form now goes through, once.
    assert person.submit("Afbrudt midt i", "cut-1") == 303
    assert person.submit("Afbrudt midt i", "cut-1") == 303
    assert count_rows(database, seeded.round_id) == 1
    assert request("GET", server.base_url + "/healthz")[0] == 200
