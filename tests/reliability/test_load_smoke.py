"""A short load run through the real stack: every request succeeds, nothing acknowledged is lost.

20 simulated participants (locust, headless, ``benchmarks/locustfile.py``) log in by link, read
their dialogue, open the round and submit for 8 seconds against gunicorn with 2 workers. The
full run with 1 000 participants is ``benchmarks/load_test.py``.
"""

from __future__ import annotations

import json

import pytest

from benchmarks.harness import seed, stored_bodies
from benchmarks.load_test import run_locust

pytestmark = pytest.mark.slow


def test_twenty_participants_for_eight_seconds(database, start_server, tmp_path):
    seeded = seed(database, 20, max_contributions=100)
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("\n".join(seeded.tokens))
    result = tmp_path / "result.json"
    server = start_server(database, workers=2)
    stats = run_locust(
        server.base_url,
        "Participant",
        users=20,
        spawn_rate=20,
        seconds=8,
        workdir=tmp_path,
        env={
            "LOAD_TOKENS": str(tokens),
            "LOAD_SLUG": seeded.slug,
            "LOAD_ROUND": str(seeded.round_id),
            "LOAD_RESULT": str(result),
            "LOAD_WAIT_MIN": "0.5",
            "LOAD_WAIT_MAX": "1.5",
        },
    )
    total = stats["Aggregated"]
    assert int(total["Failure Count"]) == 0
    assert int(total["Request Count"]) > 100
    acknowledged = json.loads(result.read_text())["acked"]
    stored = stored_bodies(database, seeded.round_id)
    assert len(acknowledged) >= 20
    assert sorted(stored) == sorted(acknowledged)
