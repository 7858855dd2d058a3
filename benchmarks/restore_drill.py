"""Restore drill (TARGETS R5): an encrypted backup taken under write load restores completely.

1. A fresh database (SQLite by default, or PostgreSQL) with N participants and an open round;
   gunicorn (``gunicorn.conf.py``, 2 workers) on 127.0.0.1; the N participants log in by link.
2. N writer threads submit contributions through HTTP (the browser's way: CSRF token, form
   nonce) for ``--seconds``. Each acknowledgement (303) is recorded with its time.
3. Part-way through, ``dialogue backup --encrypt`` runs as its own process against the live
   database (SQLite online backup API / pg_dump), key in ``DIALOGUE_BACKUP_KEY``.
4. The backup is restored with ``dialogue restore --encrypt`` into a fresh, empty database of a
   fresh instance (the ``ANON_SECRET`` travels separately, as docs/operations.md prescribes).
5. Checks on the restored copy:
   - SQLite ``PRAGMA integrity_check`` == "ok";
   - every contribution acknowledged before the backup *started* is there;
   - every row there is an acknowledged contribution, once (rows == acknowledged writes up to
     the backup's snapshot: nothing torn, nothing duplicated, nothing invented);
   - the app boots on it (gunicorn, ``/healthz``) and participants who log in with a *fresh*
     link find on "my input" exactly their own restored contributions (TARGETS A4).

    .venv/bin/python benchmarks/restore_drill.py                    # 200 writers, 8 s, SQLite
    .venv/bin/python benchmarks/restore_drill.py --backend postgresql

Prints the figures (writes, backup and restore times, sizes) and exits 1 if a check fails.
Only 127.0.0.1; every wait has a deadline.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text, update  # noqa: E402 - after the path is set

from benchmarks.harness import (  # noqa: E402
    PG_ADMIN_URL,
    ROOT,
    SECRETS,
    VENV_BIN,
    GunicornServer,
    Participant,
    _admin_engine,
    engine_for,
    request,
    scratch_database,
    scratch_dir,
    seed,
    sqlite_integrity,
    stored_bodies,
)

REDIS_URI = os.environ.get("DRILL_REDIS_URI", "redis://127.0.0.1:6379/14")
MARK = re.compile(r"drill-(\d+)-(\d+)")
#: Each writer stays under the per-session limit of 30 submissions a minute.
MAX_POSTS_PER_WRITER = 25


@dataclass
class Write:
    """One submission: who, what, and when it was acknowledged (monotonic seconds)."""

    writer: int
    body: str
    status: int | None = None
    acked_at: float | None = None


@dataclass
class Drill:
    """What happened and what was found."""

    backend: str
    writers: int
    seconds: float
    round_id: int = 0
    writes: list[Write] = field(default_factory=list, repr=False)
    backup_started: float = 0.0
    backup_finished: float = 0.0
    backup_seconds: float = 0.0
    backup_bytes: int = 0
    restore_seconds: float = 0.0
    boot_seconds: float = 0.0
    integrity: str = "-"
    acked_before_backup: int = 0
    acked_during_backup: int = 0
    acked_total: int = 0
    failed_posts: int = 0
    restored_rows: int = 0
    missing_before_backup: int = 0
    unacknowledged_rows: int = 0
    unanswered_rows: int = 0
    duplicate_rows: int = 0
    checked_participants: int = 0
    my_input_mismatches: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every check passed."""
        return not self.problems


def cli_env(url: str, instance: Path, key: str) -> dict[str, str]:
    """The environment of a ``dialogue`` command against ``url``."""
    return {
        **os.environ,
        **SECRETS,
        "DATABASE_URL": url,
        "DIALOGUE_INSTANCE_PATH": str(instance),
        "DIALOGUE_BACKUP_KEY": key,
    }


def dialogue_command(args: list[str], env: dict[str, str], timeout: float = 300) -> None:
    """Run the product's CLI; raise with its error output if it fails."""
    result = subprocess.run(
        [str(VENV_BIN / "dialogue"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dialogue {args[0]} failed: {result.stderr.strip()[-500:]}")


@contextlib.contextmanager
def empty_database(backend: str, workdir: Path, pg_url: str | None = None) -> Iterator[str]:
    """A database with nothing in it (not even a schema): where a restore lands."""
    workdir.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'restored.db'}"
        return
    name = f"dialogue_restored_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine(pg_url or PG_ADMIN_URL)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def log_in_all(server: GunicornServer, seeded, count: int) -> list[Participant]:
    """``count`` participants logged in by link (8 at a time), each with its round form."""
    people = [
        Participant(
            server.base_url,
            seeded.slug,
            seeded.round_id,
            address=f"127.79.{n // 250}.{n % 250 + 1}",
            timeout=30,
        )
        for n in range(count)
    ]

    def log_in(person: Participant, token: str) -> None:
        person.log_in(token)
        person.open_round()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(log_in, people, seeded.tokens[:count]))
    return people


def write_load(people, drill: Drill, stop: threading.Event) -> list[threading.Thread]:
    """Start one writer thread per participant; each POSTs until ``stop`` or its quota."""
    lock = threading.Lock()

    def writer(number: int) -> None:
        person = people[number]
        for post in range(MAX_POSTS_PER_WRITER):
            if stop.is_set():
                return
            write = Write(number, f"Bidrag drill-{number}-{post}: mere tid til borgerne")
            try:
                write.status = person.submit(write.body, secrets.token_urlsafe(16))
            except OSError:
                write.status = None
            if write.status == 303:
                write.acked_at = time.monotonic()
            with lock:
                drill.writes.append(write)
            time.sleep(random.uniform(0.05, 0.3))  # nosec B311 - jitter, not security

    threads = [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(len(people))]
    for thread in threads:
        thread.start()
    return threads


def fresh_link(url: str, slug_email_prefix: str, writer: int) -> str:
    """Give the restored database a new login link for participant ``writer``; the raw token."""
    from dialogue.auth.services.logins import token_hash
    from dialogue.core.models import Membership, Person

    token = secrets.token_urlsafe(32)
    people, memberships = Person.__table__, Membership.__table__
    engine = engine_for(url)
    try:
        with engine.begin() as connection:
            person_id = connection.execute(
                select(people.c.id).where(
                    people.c.email == f"p{writer}@{slug_email_prefix}.example.org"
                )
            ).scalar_one()
            connection.execute(
                update(memberships)
                .where(memberships.c.person_id == person_id)
                .values(
                    token_hash=token_hash(token),
                    token_expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
                )
            )
    finally:
        engine.dispose()
    return token


def check_restored(drill: Drill, url: str) -> dict[int, set[str]]:
    """Compare the restored rows with the acknowledgements; the rows per writer."""
    rows = stored_bodies(url, drill.round_id)
    drill.restored_rows = len(rows)
    acked = {w.body for w in drill.writes if w.status == 303}
    before = {
        w.body for w in drill.writes if w.acked_at is not None and w.acked_at < drill.backup_started
    }
    drill.acked_total = len(acked)
    drill.acked_before_backup = len(before)
    drill.acked_during_backup = sum(
        1
        for w in drill.writes
        if w.acked_at is not None and drill.backup_started <= w.acked_at <= drill.backup_finished
    )
    drill.failed_posts = sum(1 for w in drill.writes if w.status != 303)
    drill.missing_before_backup = len(before - set(rows))
    # A row whose POST got no answer at all (the client gave up) may have been committed;
    # a row refused with a status, or never sent, must not exist.
    unanswered = {w.body for w in drill.writes if w.status is None}
    drill.unanswered_rows = len((set(rows) - acked) & unanswered)
    drill.unacknowledged_rows = len(set(rows) - acked - unanswered)
    drill.duplicate_rows = len(rows) - len(set(rows))
    if drill.missing_before_backup:
        drill.problems.append(f"{drill.missing_before_backup} acknowledged writes missing")
    if drill.unacknowledged_rows:
        drill.problems.append(f"{drill.unacknowledged_rows} rows nobody was told were saved")
    if drill.duplicate_rows:
        drill.problems.append(f"{drill.duplicate_rows} duplicated rows")
    if not before:
        drill.problems.append("nothing was acknowledged before the backup: no test")
    own: dict[int, set[str]] = {}
    for body in rows:
        match = MARK.search(body)
        if match:
            own.setdefault(int(match.group(1)), set()).add(body)
    return own


def check_my_input(drill: Drill, server, seeded, url: str, own, sample: int) -> None:
    """Participants log in with a fresh link and see exactly their restored contributions."""
    prefix = seeded.slug.replace("-", "")
    writers = sorted(own)
    chosen = random.Random(7).sample(writers, min(sample, len(writers)))  # nosec B311 - a sample, not a secret
    for writer in chosen:
        person = Participant(
            server.base_url, seeded.slug, seeded.round_id, address=f"127.80.0.{writer % 250 + 1}"
        )
        person.log_in(fresh_link(url, prefix, writer))
        status, _, page = person._call("GET", f"/d/{seeded.slug}/my-input")
        seen = {f"drill-{a}-{b}" for a, b in MARK.findall(page)}
        expected = {MARK.search(body).group(0) for body in own[writer]}
        drill.checked_participants += 1
        if status != 200 or seen != expected:
            drill.my_input_mismatches += 1
    if drill.my_input_mismatches:
        drill.problems.append(f"{drill.my_input_mismatches} participants saw the wrong input")


def run(
    backend: str,
    writers: int,
    seconds: float,
    workdir: Path,
    *,
    backup_at: float = 0.4,
    sample: int = 20,
    workers: int = 2,
    pg_url: str | None = None,
) -> Drill:
    """The whole drill; ``backup_at`` is the fraction of the load before the backup starts."""
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    drill = Drill(backend=backend, writers=writers, seconds=seconds)
    server_env = {"RATELIMIT_STORAGE_URI": REDIS_URI, "TRUSTED_PROXY_HOPS": "1"}
    backup_path = workdir / "drill.backup.enc"
    with scratch_database(backend, workdir / "live", pg_url=pg_url) as url:
        seeded = seed(url, writers, max_contributions=1000)
        drill.round_id = seeded.round_id
        with GunicornServer(url, workdir / "live", workers=workers, env=server_env) as server:
            people = log_in_all(server, seeded, writers)
            stop = threading.Event()
            threads = write_load(people, drill, stop)
            time.sleep(seconds * backup_at)
            drill.backup_started = time.monotonic()
            dialogue_command(
                ["backup", "--encrypt", str(backup_path)],
                cli_env(url, workdir / "live" / "instance", key),
            )
            drill.backup_finished = time.monotonic()
            drill.backup_seconds = drill.backup_finished - drill.backup_started
            time.sleep(max(0.0, seconds * (1 - backup_at) - drill.backup_seconds))
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        drill.backup_bytes = backup_path.stat().st_size

    with empty_database(backend, workdir / "restored", pg_url) as restored:
        instance = workdir / "restored" / "instance"
        started = time.monotonic()
        dialogue_command(
            ["restore", "--encrypt", "--yes", str(backup_path)], cli_env(restored, instance, key)
        )
        drill.restore_seconds = time.monotonic() - started
        if backend == "sqlite":
            drill.integrity = sqlite_integrity(restored)
            if drill.integrity != "ok":
                drill.problems.append(f"integrity_check: {drill.integrity}")
        own = check_restored(drill, restored)
        started = time.monotonic()
        with GunicornServer(restored, workdir / "restored", workers=2, env=server_env) as server:
            status, _, _ = request("GET", server.base_url + "/healthz", timeout=10)
            drill.boot_seconds = time.monotonic() - started
            if status != 200:
                drill.problems.append(f"/healthz on the restored copy answered {status}")
            check_my_input(drill, server, seeded, restored, own, sample)
    return drill


def report(drill: Drill) -> str:
    """The figures, one per line."""
    lines = [
        f"backend: {drill.backend}; writers: {drill.writers}; load: {drill.seconds:.0f} s",
        f"posts: {len(drill.writes)} ({drill.acked_total} acknowledged, {drill.failed_posts} not)",
        f"acknowledged before the backup started: {drill.acked_before_backup}; "
        f"while it ran: {drill.acked_during_backup}",
        f"backup (encrypted, own process): {drill.backup_seconds:.2f} s, "
        f"{drill.backup_bytes / 1024:.0f} KiB",
        f"restore (decrypt + load into an empty database): {drill.restore_seconds:.2f} s",
        f"restored rows: {drill.restored_rows}; acknowledged-before-backup missing: "
        f"{drill.missing_before_backup}; unacknowledged rows: {drill.unacknowledged_rows}; "
        f"committed but unanswered: {drill.unanswered_rows}; "
        f"duplicates: {drill.duplicate_rows}",
        f"integrity_check: {drill.integrity}",
        f"app on the restored copy answered /healthz after {drill.boot_seconds:.1f} s",
        f"'my input' through a fresh link: {drill.checked_participants} participants checked, "
        f"{drill.my_input_mismatches} mismatches",
        "RESULT: "
        + ("restore drill passed" if drill.ok else "FAILED: " + "; ".join(drill.problems)),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the drill and print the figures; 1 if any check failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--writers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--sample", type=int, default=20, help="participants checked")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    workdir = scratch_dir("dialogue-restore-drill-")
    print(f"work folder: {workdir}", flush=True)
    try:
        drill = run(args.backend, args.writers, args.seconds, workdir, sample=args.sample)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(report(drill))
    if args.json:
        figures = {k: v for k, v in vars(drill).items() if k != "writes"}
        args.json.write_text(json.dumps(figures, indent=2))
    return 0 if drill.ok else 1


if __name__ == "__main__":
    sys.exit(main())
