"""A round that closes during the load refuses late submissions cleanly (TARGETS R3, R1).

Participants keep submitting while the round's closing time passes. Every POST sent after the
closing instant gets 409 and stores nothing; every 303 before it is stored; there is no 5xx.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import update

from benchmarks.harness import engine_for, seed, stored_bodies
from dialogue.core.models import Round
from tests.reliability.helpers import logged_in

PEOPLE = 16
pytestmark = pytest.mark.slow


def close_round_at(database, round_id, closes_at):
    engine = engine_for(database)
    with engine.begin() as connection:
        connection.execute(
            update(Round.__table__)
            .where(Round.__table__.c.id == round_id)
            .values(closes_at=closes_at)
        )
    engine.dispose()


def test_submissions_after_closing_get_409_and_store_nothing(database, start_server):
    seeded = seed(database, PEOPLE, max_contributions=50)
    server = start_server(database, workers=2)
    people = logged_in(server, seeded, PEOPLE)
    closes_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    close_round_at(database, seeded.round_id, closes_at)
    stop_at = closes_at + dt.timedelta(seconds=1)
    outcomes = []
    lock = threading.Lock()

    def keep_submitting(number):
        person, post = people[number], 0
        while dt.datetime.now(dt.UTC) < stop_at and post < 40:
            sent_at = dt.datetime.now(dt.UTC)
            body = f"Bidrag {number}-{post} om arbejdsmiljøet"
            status = person.submit(body, f"close-{number}-{post}")
            with lock:
                outcomes.append((sent_at, body, status))
            post += 1
            time.sleep(0.05)

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        for future in [pool.submit(keep_submitting, n) for n in range(PEOPLE)]:
            future.result(timeout=60)

    statuses = {status for _, _, status in outcomes}
    assert statuses <= {303, 409}, statuses
    late = [(body, status) for sent_at, body, status in outcomes if sent_at >= closes_at]
    assert late, "no submission was sent after closing"
    assert {status for _, status in late} == {409}
    acknowledged = {body for _, body, status in outcomes if status == 303}
    refused = {body for _, body, status in outcomes if status == 409}
    assert acknowledged, "no submission was accepted before closing"
    assert set(stored_bodies(database, seeded.round_id)) == acknowledged
    assert not refused & acknowledged
