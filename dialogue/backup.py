"""Backups that are consistent while the app runs, and restores that bring back every row.

SQLite is copied with its online backup API (a plain file copy of a live WAL database can be
torn); PostgreSQL with pg_dump's custom format. Neither holds ``ANON_SECRET``, which lives in
the instance folder: back it up separately, and keep it apart from the database backups.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

from sqlalchemy.engine import Engine


class BackupError(Exception):
    """A backup or restore could not be done; the message says why."""


def _libpq_url(engine: Engine) -> str:
    """The URL as pg_dump understands it (no SQLAlchemy driver suffix)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client)")
    return path


def _run(command: list[str]) -> None:
    # A fixed executable and an argument list, never a shell.
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise BackupError(result.stderr.strip().splitlines()[-1] if result.stderr else "failed")


def backup(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the database to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        with sqlite3.connect(target) as destination:
            source = engine.raw_connection()
            try:
                source.driver_connection.backup(destination)
            finally:
                source.close()
        return
    _run(
        [
            _pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--file",
            str(target),
            _libpq_url(engine),
        ]
    )


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's content with the backup in ``source``."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    engine.dispose()
    if engine.dialect.name == "sqlite":
        try:
            with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup_db:
                backup_db.execute("PRAGMA schema_version")
                destination = engine.raw_connection()
                try:
                    backup_db.backup(destination.driver_connection)
                finally:
                    destination.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} is not a SQLite backup ({exc})") from exc
        return
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            _libpq_url(engine),
            str(source),
        ]
    )
