"""Where a submission's time goes: the real app in-process, profiled with cProfile.

A fresh database (SQLite, or PostgreSQL with ``--backend postgresql``) is seeded like the load
test's (``--members`` participants, one open challenges round); one participant logs in with
their link through the app's own WSGI interface, then opens the round page and submits
``--posts`` times. Printed: milliseconds per GET and per POST (median, each with its CPU time,
which other processes on a shared machine do not inflate), SQL statements per POST, Python
calls per profiled request (steadier than any time on a busy machine), and the functions that
take most of the POST's time (cumulative; an extra POST after every other one is profiled, so
that the timed ones carry no profiler overhead; ``--request get`` profiles an extra GET of the
round page instead).

    .venv/bin/python benchmarks/submission_profile.py                  # SQLite, 230 members
    .venv/bin/python benchmarks/submission_profile.py --backend postgresql --members 1000

The rate limiter is switched off (one participant posts far more than 30 a minute); the load
test (``load_test.py``) keeps it, with Redis. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import CSRF, NONCE, SECRETS, scratch_database, scratch_dir, seed  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Profile the chosen backend in a scratch database, dropped afterwards."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--members", type=int, default=230)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--embed-on-submit", default="true", choices=["true", "false"])
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime")
    parser.add_argument("--sql", action="store_true", help="print the last POST's statements")
    parser.add_argument("--dump", help="also write the raw profile to this file (for pstats)")
    parser.add_argument(
        "--request", default="post", choices=["post", "get"], help="which request to profile"
    )
    args = parser.parse_args(argv)
    workdir = scratch_dir("dialogue-profile-")
    try:
        with scratch_database(args.backend, workdir) as url:
            return profile(url, workdir, args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def profile(url: str, workdir: Path, args) -> int:
    """Seed, log in, then time and profile ``args.posts`` GET + POST pairs."""
    os.environ.update(SECRETS)
    from sqlalchemy import event

    from dialogue import create_app

    seeded = seed(url, args.members, max_contributions=2 * args.posts + 10)
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(workdir / "instance"),
            "RATELIMIT_ENABLED": False,
            "DIALOGUE_EMBED_ON_SUBMIT": args.embed_on_submit == "true",
            "SESSION_COOKIE_SECURE": False,
        }
    )
    statements: list[str] = []
    event.listen(
        app.extensions["db_engine"],
        "before_cursor_execute",
        lambda _conn, _cursor, sql, *_rest: statements.append(sql),
    )
    client = app.test_client()
    token = seeded.tokens[0]
    page = client.get(f"/link/{token}").get_data(as_text=True)
    client.post(f"/link/{token}", data={"csrf_token": CSRF.search(page).group(1)})
    round_path = f"/d/{seeded.slug}/rounds/{seeded.round_id}/"
    post_path = f"/d/{seeded.slug}/rounds/{seeded.round_id}/contributions"
    gets, get_cpu, posts, cpu, counts = [], [], [], [], []
    profiler = cProfile.Profile()
    for i in range(args.posts):
        started, started_cpu = time.perf_counter(), time.process_time()
        page = client.get(round_path).get_data(as_text=True)
        gets.append(time.perf_counter() - started)
        get_cpu.append(time.process_time() - started_cpu)
        match = NONCE.search(page)
        fields = {
            "csrf_token": CSRF.search(page).group(1),
            "nonce": next(g for g in match.groups() if g),
            "body": f"Bidrag nummer {i}: vi har brug for mere tid til kerneopgaven.",
        }
        before = len(statements)
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.post(post_path, data=fields)
        posts.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        counts.append(len(statements) - before)
        last = statements[before:]
        assert response.status_code == 303, response.status_code
        if i % 2 and args.request == "post":  # every other POST profiled: the rest untimed
            profiler.enable()
            client.post(post_path, data={**fields, "nonce": f"{fields['nonce']}-p"})
            profiler.disable()
        elif i % 2:
            profiler.enable()
            client.get(round_path)
            profiler.disable()
    print(
        f"{args.backend}, {args.members} members, {args.posts} posts, "
        f"embed on submit {args.embed_on_submit}, load average {os.getloadavg()[0]:.1f}:"
    )
    print(
        f"  GET round page {statistics.median(gets) * 1000:.1f} ms (CPU "
        f"{statistics.median(get_cpu) * 1000:.1f} ms), "
        f"POST {statistics.median(posts) * 1000:.1f} ms (median; CPU "
        f"{statistics.median(cpu) * 1000:.1f} ms, the rest waits on disk or other processes), "
        f"{statistics.median(counts):.0f} SQL statements per POST"
    )
    stats = pstats.Stats(profiler)
    profiled = args.posts // 2
    print(
        f"  Python calls per profiled {args.request.upper()}: "
        f"{stats.total_calls / profiled:,.0f} ({stats.prim_calls / profiled:,.0f} primitive)"
    )
    if args.sql:
        print("\n".join(f"  {' '.join(sql.split())[:150]}" for sql in last))
    if args.dump:
        profiler.dump_stats(args.dump)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
