"""Faults under real load: the long versions of ``tests/reliability`` (which run in seconds).

Scenarios (each prints what it did and its verdict; exit status 1 if any failed):

- ``kill-worker``: locust participants (default 200, 40 s) against gunicorn with 4 workers; a
  worker is SIGKILLed every 8 s. Every acknowledged contribution must be stored (and SQLite
  must pass ``integrity_check``); the only errors allowed are the requests the dead worker was
  serving at that moment.
- ``pg-terminate``: the same load on PostgreSQL while every backend connection of the app is
  ended with ``pg_terminate_backend`` every 5 s. Failed requests must be 503s (never a 500);
  every acknowledged contribution must be stored.

    .venv/bin/python benchmarks/faults.py kill-worker --backend sqlite
    .venv/bin/python benchmarks/faults.py pg-terminate
    .venv/bin/python benchmarks/faults.py all

Only 127.0.0.1; every run is bounded in users and time and stops by itself.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402 - after the path is set
from sqlalchemy.engine import make_url  # noqa: E402

from benchmarks.harness import (  # noqa: E402
    GunicornServer,
    engine_for,
    scratch_database,
    scratch_dir,
    seed,
    sqlite_integrity,
    stored_bodies,
)
from benchmarks.load_test import run_locust, server_env  # noqa: E402


def failures_by_status(workdir: Path) -> dict[str, int]:
    """Locust's failures, counted by their message (e.g. "submit answered 503")."""
    counts: dict[str, int] = {}
    path = workdir / "locust-Participant_failures.csv"
    if path.exists():
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                counts[row["Error"]] = counts.get(row["Error"], 0) + int(row["Occurrences"])
    return counts


def under_load(backend, workdir, users, seconds, workers, fault, every):
    """Run participants while ``fault(server, url)`` fires every ``every`` seconds."""
    with scratch_database(backend, workdir) as url:
        seeded = seed(url, users, max_contributions=1000)
        tokens, result = workdir / "tokens.txt", workdir / "result.json"
        tokens.write_text("\n".join(seeded.tokens))
        env = {
            "LOAD_TOKENS": str(tokens),
            "LOAD_SLUG": seeded.slug,
            "LOAD_ROUND": str(seeded.round_id),
            "LOAD_RESULT": str(result),
            "LOAD_WAIT_MIN": "1",
            "LOAD_WAIT_MAX": "3",
        }
        fired = []
        with GunicornServer(url, workdir, workers=workers, env=server_env()) as server:
            stop = threading.Event()

            def inject():
                while not stop.wait(every):
                    fired.append(fault(server, url))

            injector = threading.Thread(target=inject, daemon=True)
            injector.start()
            stats = run_locust(
                server.base_url,
                "Participant",
                users=users,
                spawn_rate=users / 5,
                seconds=seconds,
                workdir=workdir,
                env=env,
            )
            stop.set()
            injector.join(timeout=every + 5)
            log = server.log_text()
        acked = json.loads(result.read_text())["acked"]
        stored = stored_bodies(url, seeded.round_id)
        missing = len(set(acked) - set(stored))
        integrity = sqlite_integrity(url) if backend == "sqlite" else "-"
        total = stats["Aggregated"]
        return {
            "faults injected": len(fired),
            "requests": int(total["Request Count"]),
            "failures": failures_by_status(workdir),
            "acked": len(acked),
            "stored": len(stored),
            "missing": missing,
            "integrity": integrity,
            "500s in log": log.count('" 500 '),
        }


def kill_a_worker(server, _url):
    """SIGKILL the first of the master's workers."""
    pids = server.worker_pids()
    if pids:
        os.kill(pids[0], signal.SIGKILL)
    return pids[:1]


def terminate_backends(_server, url):
    """End every other connection to the app's PostgreSQL database."""
    name = make_url(url).database
    engine = engine_for(url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as admin:
            return admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            ).rowcount
    finally:
        engine.dispose()


def verdict(name: str, report: dict, allowed_failures: set[str]) -> bool:
    """Print the report; fine when nothing acknowledged is missing and failures are allowed."""
    unexpected = {k: v for k, v in report["failures"].items() if not _allowed(k, allowed_failures)}
    ok = (
        report["missing"] == 0
        and report["integrity"] in ("ok", "-")
        and report["500s in log"] == 0
        and not unexpected
    )
    print(f"== {name}: {'PASSED' if ok else 'FAILED'}")
    for key, value in report.items():
        print(f"   {key}: {value}")
    if unexpected:
        print(f"   unexpected failures: {unexpected}")
    return ok


def _allowed(message: str, allowed: set[str]) -> bool:
    return any(fragment in message for fragment in allowed)


#: What a client sees when the worker serving it dies: the connection drops.
CONNECTION_LOST = {
    "Connection",
    "RemoteDisconnected",
    "reset",
    "closed",
    "BadStatusLine",
    "EOF",
    "Incomplete response",
    "answered 0",  # locust's status for a request that got no answer at all
}


def main(argv: list[str] | None = None) -> int:
    """Run the chosen scenarios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=["kill-worker", "pg-terminate", "all"])
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=40)
    args = parser.parse_args(argv)
    workdir = scratch_dir("dialogue-faults-")
    print(f"work folder: {workdir}")
    ok = True
    if args.scenario in ("kill-worker", "all"):
        backends = ["sqlite", "postgresql"] if args.scenario == "all" else [args.backend]
        for backend in backends:
            report = under_load(
                backend, workdir / f"kill-{backend}", args.users, args.seconds, 4, kill_a_worker, 8
            )
            ok &= verdict(f"kill a worker every 8 s ({backend})", report, CONNECTION_LOST)
    if args.scenario in ("pg-terminate", "all"):
        report = under_load(
            "postgresql", workdir / "terminate", args.users, args.seconds, 2, terminate_backends, 5
        )
        allowed = {"answered 503", "code=503"} | CONNECTION_LOST
        ok &= verdict("pg_terminate_backend every 5 s", report, allowed)
    started = time.strftime("%H:%M:%S")
    print(f"RESULT at {started}:", "all scenarios passed" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
