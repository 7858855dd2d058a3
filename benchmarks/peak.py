"""The full participant peak (TARGETS R6): 230 participants for 10 minutes, SQLite and PostgreSQL.

Per database: a fresh migrated database seeded with 230 participants (login links) and an open
round; gunicorn with ``gunicorn.conf.py`` (2 sync workers, shared Redis rate-limit storage,
one trusted proxy hop) on 127.0.0.1; locust headless with ``benchmarks/peak_locustfile.py``:
``-u 230 -r 10 -t 10m``, 80 % page views and 20 % submissions, think time 3–7 s.

Fails (exit status 1) on any 5xx, timeout or other failed request, p95 of page views > 500 ms,
p95 of submissions > 1 s, p99 of all requests > 2 s, or an acknowledged contribution missing
from the database (and, on SQLite, ``integrity_check`` not "ok").

    .venv/bin/python benchmarks/peak.py                          # both databases, 10 min each
    .venv/bin/python benchmarks/peak.py --backends sqlite --minutes 1 --users 50   # smoke

Every run is bounded (locust ``-t`` plus a hard subprocess timeout); only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import (  # noqa: E402 - after the path is set
    ROOT,
    VENV_BIN,
    GunicornServer,
    scratch_database,
    scratch_dir,
    seed,
    sqlite_integrity,
    stored_bodies,
)

LOCUSTFILE = ROOT / "benchmarks" / "peak_locustfile.py"
REDIS_URI = os.environ.get("PEAK_REDIS_URI", "redis://127.0.0.1:6379/13")


def run(backend: str, args, workdir: Path) -> dict:
    """One peak run on ``backend``; the locust summary plus what the database holds."""
    seconds = int(args.minutes * 60)
    with scratch_database(backend, workdir) as url:
        seeded = seed(url, args.users, max_contributions=10_000)
        tokens, result, summary = (
            workdir / "tokens.txt",
            workdir / "result.json",
            workdir / "summary.json",
        )
        tokens.write_text("\n".join(seeded.tokens))
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "LOAD_TOKENS": str(tokens),
            "LOAD_SLUG": seeded.slug,
            "LOAD_ROUND": str(seeded.round_id),
            "LOAD_RESULT": str(result),
            "PEAK_SUMMARY": str(summary),
            "PEAK_WAIT_MIN": str(args.wait[0]),
            "PEAK_WAIT_MAX": str(args.wait[1]),
        }
        server_env = {"RATELIMIT_STORAGE_URI": REDIS_URI, "TRUSTED_PROXY_HOPS": "1"}
        load_before = os.getloadavg()[0]
        with GunicornServer(url, workdir, workers=args.workers, env=server_env) as server:
            command = [
                str(VENV_BIN / "locust"),
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--only-summary",
                "--host",
                server.base_url,
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                f"{seconds}s",
                "--stop-timeout",
                "15",
                "--csv",
                str(workdir / "peak"),
                "--loglevel",
                "WARNING",
                "PeakParticipant",
            ]
            with open(workdir / "locust.out", "wb") as out:
                completed = subprocess.run(
                    command,
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    timeout=seconds + 120,
                    check=False,
                )
            log = server.log_text()
        report = json.loads(summary.read_text())
        acked = json.loads(result.read_text())["acked"]
        stored = stored_bodies(url, seeded.round_id)
        report.update(
            backend=backend,
            locust_exit=completed.returncode,
            acked=len(acked),
            stored=len(stored),
            missing=len(set(acked) - set(stored)),
            integrity=sqlite_integrity(url) if backend == "sqlite" else "-",
            server_500s=log.count('" 500 '),
            load_before=round(load_before, 1),
            load_after=round(os.getloadavg()[0], 1),
        )
        return report


def passed(report: dict) -> bool:
    """Thresholds met (checked by the locustfile) and nothing acknowledged lost."""
    return (
        report["locust_exit"] == 0
        and not report["broken"]
        and report["missing"] == 0
        and report["integrity"] in ("ok", "-")
        and report["server_500s"] == 0
    )


def print_table(reports: list[dict]) -> None:
    """One row per database."""
    header = (
        "| database | requests | req/s | pages | page p50 | page p95 | submits | submit p50 "
        "| submit p95 | p99 all | max | failures | 5xx | timeouts | acked | stored | missing "
        "| integrity | load avg before/after | verdict |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for r in reports:
        print(
            f"| {r['backend']} | {r['requests']} | {r['rps']} | {r['pages']['count']} "
            f"| {r['pages']['p50_ms']:.0f} ms | {r['pages']['p95_ms']:.0f} ms "
            f"| {r['submits']['count']} | {r['submits']['p50_ms']:.0f} ms "
            f"| {r['submits']['p95_ms']:.0f} ms | {r['all']['p99_ms']:.0f} ms "
            f"| {max(r['pages']['max_ms'], r['submits']['max_ms']):.0f} ms | {r['failures']} "
            f"| {r['server_errors']} | {r['timeouts']} | {r['acked']} | {r['stored']} "
            f"| {r['missing']} | {r['integrity']} | {r['load_before']}/{r['load_after']} "
            f"| {'PASS' if passed(r) else 'FAIL: ' + '; '.join(r['broken'] or ['lost/500'])} |"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the peak on each database; 1 if any run broke a threshold or lost anything."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--users", type=int, default=230)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--wait", default="3,7", help="think time min,max in seconds")
    parser.add_argument("--json", type=Path, help="also write the reports here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    args.wait = tuple(float(x) for x in args.wait.split(","))
    workdir = scratch_dir("dialogue-peak-")
    print(f"work folder: {workdir}", flush=True)
    reports = []
    try:
        for backend in args.backends.split(","):
            started = time.monotonic()
            report = run(backend, args, workdir / backend)
            report["seconds"] = round(time.monotonic() - started)
            reports.append(report)
            print(f"{backend}: done in {report['seconds']} s", flush=True)
            if report["errors"]:
                print(f"{backend} failures: {report['errors']}", flush=True)
    finally:
        print()
        print_table(reports)
        if args.json:
            args.json.write_text(json.dumps(reports, indent=2))
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    ok = bool(reports) and all(passed(r) for r in reports)
    print("RESULT:", "peak carried" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
