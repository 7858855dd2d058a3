"""Rate limits hold across gunicorn workers with shared storage (TARGETS S8).

Two sync workers. The first three login attempts are answered by one worker while the other
is held busy by a slow client; then the roles swap and the other worker answers the last
three. With Redis storage the 6th attempt gets 429 although that worker saw only three
attempts itself; with per-worker memory storage it does not, which is why Redis is needed.
Which worker answered is read from the access log (``%(p)s``, the worker's PID).
"""

from __future__ import annotations

import re
import socket
import time
import uuid

import pytest

from benchmarks.harness import Participant, seed
from tests.conftest import require
from tests.reliability.helpers import redis_available

pytestmark = pytest.mark.slow
#: A Redis database of its own, so nothing here meets other users of the server.
REDIS_URI = "redis://127.0.0.1:6379/13"
PID_LOG_FORMAT = "%(p)s %(m)s %(U)s %(s)s"


@pytest.fixture
def redis():
    require(redis_available(), "Redis on 127.0.0.1:6379", "`make services` starts it")


def hold_a_worker(port):
    """Open a connection and send half a request: one sync worker now waits for the rest."""
    slow = socket.create_connection(("127.0.0.1", port), timeout=10)
    slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    time.sleep(0.4)  # long enough for an idle worker to accept it
    return slow


def login_attempts(server, email, count):
    """``count`` wrong-password logins for ``email``, each on a fresh connection."""
    browser = Participant(server.base_url, "", 0)
    _, _, page = browser._call("GET", "/login")
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = {"csrf_token": csrf, "email": email, "password": "not the password"}
    return [browser._call("POST", "/login", data)[0] for _ in range(count)]


def answering_pids(server):
    lines = [line for line in server.log_text().splitlines() if " POST /login " in line]
    return [int(line.split()[0].strip("<>")) for line in lines]


def attempts_spread_over_both_workers(server):
    """Six attempts for one address: three by one worker, three by the other."""
    email = f"s8-{uuid.uuid4().hex[:8]}@example.org"
    first_busy = hold_a_worker(server.port)
    statuses = login_attempts(server, email, 3)
    second_busy = hold_a_worker(server.port)  # the worker that answered is idle: it takes this
    first_busy.close()  # the first worker is free again, and the only one
    time.sleep(0.4)
    statuses += login_attempts(server, email, 3)
    second_busy.close()
    deadline = time.monotonic() + 5
    while len(pids := answering_pids(server)) < 6 and time.monotonic() < deadline:
        time.sleep(0.05)  # the last access-log line may still be on its way
    assert len(pids) == 6
    assert len(set(pids[:3])) == 1
    assert len(set(pids[3:])) == 1
    assert pids[0] != pids[3], "both halves were answered by the same worker"
    return statuses


def start(start_server, database, storage):
    seed(database, 1)
    return start_server(
        database,
        workers=2,
        env={"RATELIMIT_STORAGE_URI": storage, "GUNICORN_ACCESSLOG": "-"},
        extra_args=("--access-logformat", PID_LOG_FORMAT),
    )


def test_sixth_login_attempt_gets_429_whichever_worker_answers(redis, database, start_server):
    server = start(start_server, database, REDIS_URI)
    statuses = attempts_spread_over_both_workers(server)
    assert statuses == [422, 422, 422, 422, 422, 429]


def test_per_worker_memory_storage_would_let_the_sixth_through(database, start_server):
    server = start(start_server, database, "memory://")
    statuses = attempts_spread_over_both_workers(server)
    assert statuses[5] == 422
