"""Load test: simulated participants against the real server, on SQLite and on PostgreSQL.

The configuration is the one ``make run`` sets up: the ``semantic`` extra installed (``make
setup`` installs it), embedding on submit (``DIALOGUE_EMBED_ON_SUBMIT`` unset: true), no
``REDIS_URL`` (jobs in threads), and ``dialogue embed-worker`` beside the server as ``dialogue
run`` starts it. Only the server differs: gunicorn with ``gunicorn.conf.py`` and its sync
workers (2 × cores + 1 unless ``--workers``), as in production, instead of the development
server; and the rate limiter counts in Redis, as several workers need. The run prints this,
with whether the extra is installed.

For each database: a fresh database is migrated and seeded with bulk inserts (N participants
with login links, one open challenges round), the server and the embedding worker start on
127.0.0.1, and locust (headless, ``benchmarks/locustfile.py``) runs N
participants who log in, read their dialogue page, open the round and submit, with think
time. Afterwards it prints requests per second, median and 95th-percentile latency, errors,
the contributions acknowledged with a 2xx/3xx against those found in the database, and how
many of them have a vector (the worker waits for texts to stop arriving, so it is given up to
three minutes after the run to catch up).

Then the submission path alone is driven flat out, and so are, under the same gunicorn
configuration, the stack's floor (``floor_app.py``: session, sign-in, CSRF, rate limit, one
INSERT and its commit, with the product's libraries and nothing else) and a bare Flask endpoint
(``bare_app.py``); the submission path's throughput over the bare one's is the ratio, and the
floor's over the bare one's the most any submission path on this stack could reach.

    .venv/bin/python benchmarks/load_test.py            # full: 1000 participants, 120 s
    .venv/bin/python benchmarks/load_test.py --quick    # smoke: 50 participants, 15 s

Exit status 1 when a request failed or an acknowledged contribution is missing. Every run is
bounded (locust ``-t`` plus a hard subprocess timeout) and stops by itself; only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import (  # noqa: E402 - after the path is set
    ROOT,
    VENV_BIN,
    GunicornServer,
    count_vectors,
    embedding_worker,
    scratch_database,
    scratch_dir,
    seed,
    sqlite_integrity,
    stored_bodies,
)

LOCUSTFILE = ROOT / "benchmarks" / "locustfile.py"
FLOOR_APP = "benchmarks.floor_app:app"
SUBMIT_NAME = "/d/[slug]/rounds/[id]/contributions (submit)"
#: Redis database for the rate limiter's shared counters during load runs.
REDIS_URI = os.environ.get("LOAD_REDIS_URI", "redis://127.0.0.1:6379/12")


@dataclass
class Figures:
    """One locust run, summarised."""

    label: str
    requests: int
    failures: int
    rps: float
    median_ms: float
    p95_ms: float
    submit_rps: float = 0.0
    submit_p95_ms: float = 0.0
    acked: int = 0
    stored: int = 0
    missing: int = 0
    integrity: str = "-"
    embedded: int = 0


def run_locust(
    host: str,
    user_class: str,
    *,
    users: int,
    spawn_rate: float,
    seconds: int,
    workdir: Path,
    env: dict[str, str],
) -> dict[str, dict[str, str]]:
    """Run locust headless; its statistics rows by request name ("Aggregated" for the total)."""
    prefix = workdir / f"locust-{user_class}"
    command = [
        str(VENV_BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--only-summary",
        "--host",
        host,
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
        user_class,
    ]
    with open(workdir / f"locust-{user_class}.out", "wb") as out:
        subprocess.run(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=seconds + 90,
            check=False,
        )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def _figures(label: str, stats: dict[str, dict[str, str]]) -> Figures:
    total = stats["Aggregated"]
    submit = stats.get(SUBMIT_NAME, {})
    return Figures(
        label=label,
        requests=int(total["Request Count"]),
        failures=int(total["Failure Count"]),
        rps=float(total["Requests/s"]),
        median_ms=float(total["50%"] or 0),
        p95_ms=float(total["95%"] or 0),
        submit_rps=float(submit.get("Requests/s") or 0),
        submit_p95_ms=float(submit.get("95%") or 0),
    )


#: ``--embedding off`` measures without embedding, for comparison (not ``make run``'s setting).
EMBEDDING = {"on": True}
#: ``--workers``: gunicorn's sync workers for every server of the run, the bare one included;
#: by default gunicorn.conf.py's, 2 × cores + 1.
WORKERS = [2 * (os.cpu_count() or 1) + 1]


def server_env() -> dict[str, str]:
    """The production-like settings of a load run: shared rate-limit storage, one proxy hop."""
    return {
        "RATELIMIT_STORAGE_URI": REDIS_URI,
        "TRUSTED_PROXY_HOPS": "1",
        "DIALOGUE_EMBED_ON_SUBMIT": "true" if EMBEDDING["on"] else "false",
    }


def participants_run(backend: str, users: int, seconds: int, wait: tuple[float, float], workdir):
    """N participants log in, read and submit for ``seconds``; acknowledged vs stored."""
    with scratch_database(backend, workdir) as url:
        seeded = seed(url, users, max_contributions=1000)
        tokens = workdir / "tokens.txt"
        tokens.write_text("\n".join(seeded.tokens))
        result = workdir / "result.json"
        env = {
            "LOAD_TOKENS": str(tokens),
            "LOAD_SLUG": seeded.slug,
            "LOAD_ROUND": str(seeded.round_id),
            "LOAD_RESULT": str(result),
            "LOAD_WAIT_MIN": str(wait[0]),
            "LOAD_WAIT_MAX": str(wait[1]),
        }
        spawn_rate = max(1.0, users / max(1.0, seconds * 0.4))  # all in within 40 % of the run
        with (
            GunicornServer(url, workdir, workers=WORKERS[0], env=server_env()) as server,
            embedding_worker(server, enabled=EMBEDDING["on"]) as worker,
        ):
            stats = run_locust(
                server.base_url,
                "Participant",
                users=users,
                spawn_rate=spawn_rate,
                seconds=seconds,
                workdir=workdir,
                env=env,
            )
            stored = stored_bodies(url, seeded.round_id)
            deadline = time.monotonic() + 180  # the worker's time to catch up after the run
            while (
                worker is not None
                and count_vectors(url, seeded.round_id) < len(stored)
                and time.monotonic() < deadline
            ):
                time.sleep(1)
        figures = _figures(f"{backend}: {users} participants, {seconds} s", stats)
        figures.embedded = count_vectors(url, seeded.round_id)
        acked = json.loads(result.read_text())["acked"]
        figures.acked, figures.stored = len(acked), len(stored)
        figures.missing = len(set(acked) - set(stored))
        if backend == "sqlite":
            figures.integrity = sqlite_integrity(url)
        return figures


def throughput_run(
    backend: str, users: int, seconds: int, workdir: Path
) -> tuple[Figures, Figures, Figures]:
    """The submission path flat out, the stack's floor, then the bare endpoint.

    All three are served by the same gunicorn configuration and driven by the same locust.
    """
    with scratch_database(backend, workdir / "submit") as url:
        seeded = seed(url, 2000, max_contributions=1000)
        tokens = workdir / "submit-tokens.txt"
        tokens.write_text("\n".join(seeded.tokens))
        env = {
            "LOAD_TOKENS": str(tokens),
            "LOAD_SLUG": seeded.slug,
            "LOAD_ROUND": str(seeded.round_id),
        }
        with (
            GunicornServer(url, workdir / "submit", workers=WORKERS[0], env=server_env()) as server,
            embedding_worker(server, enabled=EMBEDDING["on"]),
        ):
            stats = run_locust(
                server.base_url,
                "Submitter",
                users=users,
                spawn_rate=users,
                seconds=seconds,
                workdir=workdir,
                env=env,
            )
        submit = _figures(f"{backend}: submission path flat out", stats)
        with GunicornServer(
            url, workdir / "floor", workers=WORKERS[0], env=server_env(), app=FLOOR_APP
        ) as server:
            stats = run_locust(
                server.base_url,
                "FloorSubmitter",
                users=users,
                spawn_rate=users,
                seconds=seconds,
                workdir=workdir,
                env={},
            )
        floor = _figures(f"{backend}: the stack's floor (benchmarks/floor_app.py)", stats)
        floor.submit_rps = float(stats.get("/floor (submit)", {}).get("Requests/s") or 0)
    with GunicornServer(
        "sqlite://", workdir / "bare", workers=WORKERS[0], app="benchmarks.bare_app:app"
    ) as server:
        stats = run_locust(
            server.base_url,
            "BareRequester",
            users=users,
            spawn_rate=users,
            seconds=seconds,
            workdir=workdir,
            env={},
        )
    bare = _figures("bare Flask endpoint, same gunicorn config", stats)
    bare.submit_rps = float(stats.get("/bare (submit)", {}).get("Requests/s") or 0)
    return submit, floor, bare


def print_table(rows: list[Figures]) -> None:
    """One line per run."""
    header = (
        f"{'run':44} {'req':>7} {'rps':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} "
        f"{'submit/s':>8} {'sub p95':>7} {'acked':>6} {'stored':>6} {'missing':>7} "
        f"{'embedded':>8} integrity"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.label:44} {r.requests:7d} {r.rps:7.1f} {r.median_ms:7.0f} {r.p95_ms:7.0f} "
            f"{r.failures:6d} {r.submit_rps:8.1f} {r.submit_p95_ms:7.0f} {r.acked:6d} "
            f"{r.stored:6d} {r.missing:7d} {r.embedded:8d} {r.integrity}"
        )


def configuration() -> str:
    """The configuration the run measures, in one paragraph for the results."""
    from analysis.embed import semantic_installed

    extra = "installed" if semantic_installed() else "NOT installed (nothing is embedded)"
    if not EMBEDDING["on"]:
        return (
            "configuration: NOT `make run`'s - embedding switched off "
            "(DIALOGUE_EMBED_ON_SUBMIT=false, no embedding worker), for comparison; gunicorn "
            f"with {WORKERS[0]} sync workers, rate limits counted in Redis ({REDIS_URI})"
        )
    return (
        f"configuration: as `make run` sets it up - semantic extra {extra}, embedding on "
        "submit, no REDIS_URL (jobs in threads), `dialogue embed-worker` beside the server as "
        f"`dialogue run` starts it; served by gunicorn.conf.py with {WORKERS[0]} sync workers "
        f"instead of the development server, rate limits counted in Redis ({REDIS_URI})"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the chosen scenarios and print the figures; 1 if anything was lost or failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="50 participants for 15 s")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--users", type=int, help="participants (default 1000, quick 50)")
    parser.add_argument("--seconds", type=int, help="run time (default 120, quick 15)")
    parser.add_argument("--wait", default="60,120", help="think time min,max in seconds")
    parser.add_argument("--no-ratio", action="store_true", help="skip the throughput ratio")
    parser.add_argument("--ratio-only", action="store_true", help="only the throughput ratio")
    parser.add_argument("--ratio-users", type=int, default=16)
    parser.add_argument("--ratio-seconds", type=int, help="default 30, quick 10")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, csv)")
    parser.add_argument(
        "--workers", type=int, default=WORKERS[0], help="gunicorn sync workers, every server"
    )
    parser.add_argument(
        "--embedding", default="on", choices=["on", "off"], help="off: for comparison only"
    )
    args = parser.parse_args(argv)
    EMBEDDING["on"] = args.embedding == "on"
    WORKERS[0] = args.workers
    users = args.users or (50 if args.quick else 1000)
    seconds = args.seconds or (15 if args.quick else 120)
    ratio_seconds = args.ratio_seconds or (10 if args.quick else 30)
    wait = tuple(float(x) for x in args.wait.split(","))
    workdir = scratch_dir("dialogue-load-")
    print(f"work folder: {workdir}")
    print(configuration(), flush=True)
    rows: list[Figures] = []
    ratios: list[str] = []
    ok = True
    try:
        for backend in args.backends.split(","):
            started = time.monotonic()
            before = os.getloadavg()[0]
            if not args.ratio_only:
                figures = participants_run(backend, users, seconds, wait, workdir / backend)
                rows.append(figures)
                ok = ok and figures.failures == 0 and figures.missing == 0
            print(
                f"{backend}: participants done in {time.monotonic() - started:.0f} s "
                f"(1-minute load average {before:.1f} before, {os.getloadavg()[0]:.1f} after; "
                f"{os.cpu_count()} cores: anything else running skews the figures)",
                flush=True,
            )
            if not args.no_ratio:
                submit, floor, bare = throughput_run(
                    backend, args.ratio_users, ratio_seconds, workdir / f"{backend}-ratio"
                )
                rows += [submit, floor, bare]
                ratio = submit.submit_rps / bare.submit_rps if bare.submit_rps else 0.0
                ceiling = floor.submit_rps / bare.submit_rps if bare.submit_rps else 0.0
                ratios.append(
                    f"{backend}: submission path {submit.submit_rps:.0f}/s vs bare "
                    f"{bare.submit_rps:.0f}/s = ratio {ratio:.2f} (target >= 0.3); the "
                    f"stack's floor {floor.submit_rps:.0f}/s = ratio {ceiling:.2f}"
                )
    finally:
        print()
        print_table(rows)
        for line in ratios:
            print(line)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print("RESULT:", "no errors, nothing lost" if ok else "FAILED: errors or lost contributions")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
