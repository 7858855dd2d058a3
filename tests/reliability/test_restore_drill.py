"""The restore drill, small (TARGETS R5): ``benchmarks/restore_drill.py`` with 50 writers.

An encrypted ``dialogue backup`` taken in its own process while 50 participants submit through
gunicorn restores (``dialogue restore --encrypt``) into a fresh, empty database: SQLite's
integrity check passes, every contribution acknowledged before the backup started is there,
every restored row was acknowledged exactly once, the app boots on the copy, and participants
logging in with a fresh link see exactly their own contributions on "my input". The full drill
(200 writers) is ``.venv/bin/python benchmarks/restore_drill.py``.
"""

from __future__ import annotations

import os

import pytest

from benchmarks.restore_drill import report, run
from tests.reliability.helpers import run_backend

pytestmark = pytest.mark.slow


def test_a_backup_taken_under_write_load_restores_completely(tmp_path):
    drill = run(
        run_backend(),
        writers=50,
        seconds=3,
        workdir=tmp_path,
        sample=5,
        pg_url=os.environ.get("TEST_DATABASE_URL"),
    )
    assert drill.ok, report(drill)
    assert drill.acked_before_backup > 0
    assert drill.missing_before_backup == 0
    assert drill.unacknowledged_rows == 0
    assert drill.duplicate_rows == 0
    assert drill.restored_rows >= drill.acked_before_backup
    assert drill.checked_participants == 5
    if run_backend() == "sqlite":
        assert drill.integrity == "ok"
