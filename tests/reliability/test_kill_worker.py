"""Killing workers, or the whole server, loses no acknowledged contribution (TARGETS R1, R2b).

The harness TARGETS R1 describes: gunicorn with 4 sync workers, 200 POSTs from 50 threads, and
``kill -9`` of one worker (a child of the master) 0.3 s in. Every contribution answered with a
303 must be in the database, SQLite must pass ``PRAGMA integrity_check``, and retrying the
failed POSTs with the same form nonce must end with exactly one row per nonce.
"""

from __future__ import annotations

import http.client
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from benchmarks.harness import count_rows, seed, sqlite_integrity, stored_bodies
from tests.reliability.helpers import logged_in, run_backend

THREADS = 50
POSTS_PER_THREAD = 4
KILL_AFTER = 0.3

pytestmark = pytest.mark.slow


def submit_all(people, on_started):
    """200 POSTs from 50 threads; {nonce: (participant, body, status or None)}."""
    results = {}
    lock = threading.Lock()

    def work(number):
        person = people[number]
        for post in range(POSTS_PER_THREAD):
            nonce = f"r1-{number}-{post}"
            body = f"Bidrag {nonce}: mere tid til kerneopgaven"
            try:
                status = person.submit(body, nonce)
            except (OSError, http.client.HTTPException):  # the connection died with the worker
                status = None
            with lock:
                results[nonce] = (person, body, status)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(work, n) for n in range(THREADS)]
        on_started()
        for future in futures:
            future.result(timeout=60)
    return results


def check_nothing_acknowledged_was_lost(database, seeded, results):
    acknowledged = {body for _, body, status in results.values() if status == 303}
    assert acknowledged, "no submission succeeded at all"
    assert acknowledged <= set(stored_bodies(database, seeded.round_id))
    if run_backend() == "sqlite":
        assert sqlite_integrity(database) == "ok"


def retry_failures(results):
    """R2b: resend every POST that got no 303, with the same nonce, until it does."""
    for nonce, (person, body, status) in results.items():
        if status != 303:
            assert person.submit(body, nonce) == 303


def prepare(database, start_server):
    seeded = seed(database, THREADS, max_contributions=50)
    server = start_server(database, workers=4)
    people = logged_in(server, seeded, THREADS)
    return seeded, server, people


def test_killing_a_worker_mid_load_loses_no_acknowledged_contribution(database, start_server):
    seeded, server, people = prepare(database, start_server)
    victims = []

    def kill_one_worker_soon():
        def kill():
            time.sleep(KILL_AFTER)
            victim = server.worker_pids()[0]
            os.kill(victim, signal.SIGKILL)
            victims.append(victim)

        threading.Thread(target=kill, daemon=True).start()

    results = submit_all(people, kill_one_worker_soon)
    assert victims, "no worker was killed"
    assert victims[0] not in server.worker_pids()
    assert len(results) == THREADS * POSTS_PER_THREAD
    check_nothing_acknowledged_was_lost(database, seeded, results)

    retry_failures(results)
    assert count_rows(database, seeded.round_id) == len(results)


def test_killing_the_whole_server_and_restarting_loses_nothing(database, start_server):
    seeded, server, people = prepare(database, start_server)

    def power_cut_soon():
        threading.Timer(KILL_AFTER, server.kill_all).start()

    results = submit_all(people, power_cut_soon)
    assert server.process.poll() is not None, "the server was not killed"
    check_nothing_acknowledged_was_lost(database, seeded, results)

    # A new server on the same machine: the same database and instance folder, whose session
    # store keeps the logins.
    instance = server.env["DIALOGUE_INSTANCE_PATH"]
    restarted = start_server(database, workers=4, env={"DIALOGUE_INSTANCE_PATH": instance})
    for person in people:
        person.base_url = restarted.base_url
    retry_failures(results)
    assert count_rows(database, seeded.round_id) == len(results)
