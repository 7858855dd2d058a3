"""Short-lived records that name a person, kept out of the database that is backed up.

A login, a used login link and a link a participant asked for happen at a participant's own
moment. Written into the main database, such a row names the person and sits in write order
(SQLite's rowid, PostgreSQL's physical order and ``xmin``) beside the texts they write minutes
later: a copy of the database would pair people with their texts (TARGETS A11). They live
here instead, each with its expiry, and are purged once expired:

- with ``SESSION_STORE_URL`` (a ``redis://`` URL; ``REDIS_URL`` when unset): in Redis, under
  ``SESSION_STORE_PREFIX``, each key with its own TTL, so that every app server sees the same
  sessions;
- otherwise: in a small SQLite file of the instance folder (``instance/sessions.db``), which
  ``dialogue backup`` never copies.

Losing the store logs everybody out and lets a used invitation link log in once more until it
expires; it loses no contribution.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from flask import Flask, current_app

#: How often (seconds) the SQLite store deletes what has expired, at most.
PURGE_INTERVAL = 300


class SqliteStore:
    """Records in a SQLite file of their own; fine for one app server (the embedded setup)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._last_purge = 0.0
        self._local = threading.local()
        with self._connected() as connection:
            connection.executescript(
                """
                CREATE TABLE IF NOT EXISTS entries (
                    key TEXT PRIMARY KEY, kind TEXT NOT NULL, person_id INTEGER,
                    value TEXT NOT NULL, expires_at REAL NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS ix_entries_person ON entries (kind, person_id);
                CREATE INDEX IF NOT EXISTS ix_entries_expiry ON entries (expires_at);
                """
            )

    @contextlib.contextmanager
    def _connected(self) -> Iterator[sqlite3.Connection]:
        """The calling thread's connection, opened once per thread and process (not across forks).

        Opening the file costs more than the query it serves, on every request that reads who
        is signed in.
        """
        connection = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != os.getpid():
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA secure_delete=ON")
            self._local.connection, self._local.pid = connection, os.getpid()
        yield connection

    def put(self, kind: str, key: str, value: dict, expires_at: float, person_id=None) -> None:
        """Store ``value`` under ``kind``/``key`` until ``expires_at`` (a Unix time)."""
        with self._connected() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)",
                (f"{kind}:{key}", kind, person_id, json.dumps(value), expires_at),
            )
            if time.time() - self._last_purge > PURGE_INTERVAL:
                self._last_purge = time.time()
                connection.execute("DELETE FROM entries WHERE expires_at <= ?", (time.time(),))

    def claim(self, kind: str, key: str, expires_at: float) -> bool:
        """Record ``key`` unless it is recorded (and unexpired) already; whether this call did."""
        with self._connected() as connection:
            connection.execute(
                "DELETE FROM entries WHERE key = ? AND expires_at <= ?",
                (f"{kind}:{key}", time.time()),
            )
            cursor = connection.execute(
                "INSERT OR IGNORE INTO entries VALUES (?, ?, NULL, '{}', ?)",
                (f"{kind}:{key}", kind, expires_at),
            )
            return cursor.rowcount == 1

    def get(self, kind: str, key: str) -> dict | None:
        """The value, or None when there is none or it has expired."""
        with self._connected() as connection:
            row = connection.execute(
                "SELECT value FROM entries WHERE key = ? AND expires_at > ?",
                (f"{kind}:{key}", time.time()),
            ).fetchone()
        return json.loads(row[0]) if row else None

    def delete(self, kind: str, key: str) -> None:
        """Forget one record."""
        with self._connected() as connection:
            connection.execute("DELETE FROM entries WHERE key = ?", (f"{kind}:{key}",))

    def delete_kind(self, kind: str, person_id: int | None = None) -> int:
        """Forget every live record of ``kind`` (of one person); return how many were live."""
        query, parameters = "DELETE FROM entries WHERE kind = ?", [kind]
        if person_id is not None:
            query += " AND person_id = ?"
            parameters.append(person_id)
        with self._connected() as connection:
            live = connection.execute(
                query.replace("DELETE", "SELECT count(*)", 1) + " AND expires_at > ?",
                (*parameters, time.time()),
            ).fetchone()[0]
            connection.execute(query, parameters)
        return live

    def count(self, kind: str, person_id: int | None = None) -> int:
        """How many live records of ``kind`` there are (of one person)."""
        query, parameters = (
            "SELECT count(*) FROM entries WHERE kind = ? AND expires_at > ?",
            [
                kind,
                time.time(),
            ],
        )
        if person_id is not None:
            query += " AND person_id = ?"
            parameters.append(person_id)
        with self._connected() as connection:
            return connection.execute(query, parameters).fetchone()[0]

    def records(self, kind: str, person_id: int) -> list[tuple[str, dict]]:
        """One person's live records of ``kind``: (key, value) pairs."""
        with self._connected() as connection:
            rows = connection.execute(
                "SELECT key, value FROM entries"
                " WHERE kind = ? AND person_id = ? AND expires_at > ?",
                (kind, person_id, time.time()),
            ).fetchall()
        return [(key.partition(":")[2], json.loads(value)) for key, value in rows]

    def clear(self) -> None:
        """Forget everything (tests; ``dialogue end-sessions --all`` ends sessions only)."""
        with self._connected() as connection:
            connection.execute("DELETE FROM entries")


class RedisStore:
    """Records in Redis: each key expires by itself; a set per person finds their sessions."""

    def __init__(self, url: str, prefix: str) -> None:
        from redis import Redis

        self.redis = Redis.from_url(url)
        self.prefix = prefix

    def _key(self, kind: str, key: str) -> str:
        return f"{self.prefix}:{kind}:{key}"

    def _index(self, kind: str, person_id) -> str:
        return f"{self.prefix}:by-person:{kind}:{person_id}"

    def put(self, kind: str, key: str, value: dict, expires_at: float, person_id=None) -> None:
        """Store ``value`` under ``kind``/``key`` until ``expires_at`` (a Unix time)."""
        ttl = int((expires_at - time.time()) * 1000)
        if ttl <= 0:
            self.delete(kind, key)
            return
        self.redis.set(self._key(kind, key), json.dumps(value), px=ttl)
        if person_id is not None:
            index = self._index(kind, person_id)
            self.redis.sadd(index, key)
            if self.redis.pttl(index) < ttl:  # the index lives as long as its longest record
                self.redis.pexpire(index, ttl)

    def claim(self, kind: str, key: str, expires_at: float) -> bool:
        """Record ``key`` unless it is recorded already; whether this call did."""
        ttl = max(1, int((expires_at - time.time()) * 1000))
        return bool(self.redis.set(self._key(kind, key), "{}", px=ttl, nx=True))

    def get(self, kind: str, key: str) -> dict | None:
        """The value, or None when there is none or it has expired."""
        raw = self.redis.get(self._key(kind, key))
        return json.loads(raw) if raw else None

    def delete(self, kind: str, key: str) -> None:
        """Forget one record."""
        self.redis.delete(self._key(kind, key))

    def _person_keys(self, kind: str, person_id: int) -> list[str]:
        members = self.redis.smembers(self._index(kind, person_id))
        return [member.decode() for member in members]

    def delete_kind(self, kind: str, person_id: int | None = None) -> int:
        """Forget every live record of ``kind`` (of one person); return how many were live."""
        if person_id is not None:
            keys = [self._key(kind, key) for key in self._person_keys(kind, person_id)]
            indexes = [self._index(kind, person_id)]
        else:
            keys = list(self.redis.scan_iter(match=f"{self.prefix}:{kind}:*"))
            indexes = list(self.redis.scan_iter(match=f"{self.prefix}:by-person:{kind}:*"))
        live = self.redis.exists(*keys) if keys else 0
        if keys or indexes:
            self.redis.delete(*keys, *indexes)
        return live

    def count(self, kind: str, person_id: int | None = None) -> int:
        """How many live records of ``kind`` there are (of one person)."""
        if person_id is not None:
            keys = [self._key(kind, key) for key in self._person_keys(kind, person_id)]
            return self.redis.exists(*keys) if keys else 0
        return sum(1 for _ in self.redis.scan_iter(match=f"{self.prefix}:{kind}:*"))

    def records(self, kind: str, person_id: int) -> list[tuple[str, dict]]:
        """One person's live records of ``kind``: (key, value) pairs."""
        found = []
        for key in self._person_keys(kind, person_id):
            value = self.get(kind, key)
            if value is not None:
                found.append((key, value))
        return found

    def clear(self) -> None:
        """Forget everything under the prefix (tests)."""
        keys = list(self.redis.scan_iter(match=f"{self.prefix}:*"))
        if keys:
            self.redis.delete(*keys)


def init_app(app: Flask) -> None:
    """Open the store the configuration asks for."""
    url = app.config.get("SESSION_STORE_URL") or app.config.get("REDIS_URL")
    if url:
        store = RedisStore(url, app.config["SESSION_STORE_PREFIX"])
    else:
        store = SqliteStore(Path(app.config["SESSION_STORE_PATH"]))
    app.extensions["session_store"] = store


def store() -> SqliteStore | RedisStore:
    """The current app's store."""
    return current_app.extensions["session_store"]
