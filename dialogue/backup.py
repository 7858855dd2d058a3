"""Backups that are consistent while the app runs, and restores that bring back every row.

SQLite is copied with its online backup API (a plain file copy of a live WAL database can be
torn); PostgreSQL with pg_dump's custom format. Neither holds ``ANON_SECRET``, which lives in
the instance folder: back it up separately, and keep it apart from the database backups.

With a key (``dialogue backup --encrypt``, key in ``DIALOGUE_BACKUP_KEY``) the backup is
encrypted with Fernet from the ``cryptography`` package (AES-128-CBC with an HMAC-SHA256 tag:
a tampered or truncated file is refused, not restored). The copy is made in memory and only
its ciphertext is written, so no plaintext copy touches the disk. ``DIALOGUE_BACKUP_KEY`` may
list several keys separated by commas: the first encrypts, any of them decrypts (rotation).
Make a key with ``python -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"`` and keep it apart from the backups (and from
``ANON_SECRET``): a backup without its key cannot be restored.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

from sqlalchemy.engine import URL, Engine


class BackupError(Exception):
    """A backup or restore could not be done; the message says why."""


#: The environment variable that holds the backup key(s).
KEY_VARIABLE = "DIALOGUE_BACKUP_KEY"
#: First line of an encrypted backup; the Fernet token (base64 text) follows.
ENCRYPTED_HEADER = b"dialogue-backup fernet v1\n"


def key_from_environment() -> str:
    """The backup key(s) from ``DIALOGUE_BACKUP_KEY``; a clear error when unset."""
    key = os.environ.get(KEY_VARIABLE, "").strip()
    if not key:
        raise BackupError(f"{KEY_VARIABLE} is not set: it must hold the backup key")
    return key


def _fernet(key: str):
    try:
        from cryptography.fernet import Fernet, MultiFernet
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise BackupError("encrypted backups need the cryptography package") from exc
    try:
        return MultiFernet([Fernet(part.strip()) for part in key.split(",") if part.strip()])
    except ValueError as exc:
        raise BackupError(
            f"{KEY_VARIABLE} is not a valid key (32 url-safe base64-encoded bytes)"
        ) from exc


def is_encrypted(path: Path) -> bool:
    """Whether the file at ``path`` is an encrypted backup."""
    with open(path, "rb") as handle:
        return handle.read(len(ENCRYPTED_HEADER)) == ENCRYPTED_HEADER


def _write_private(target: Path, data: bytes) -> None:
    """Write ``data`` readable by the owner only, replacing ``target`` at once."""
    partial = target.with_name(target.name + ".part")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, target)


def _decrypt(source: Path, key: str) -> bytes:
    from cryptography.fernet import InvalidToken

    data = source.read_bytes()
    if not data.startswith(ENCRYPTED_HEADER):
        raise BackupError(f"{source} is not an encrypted backup")
    try:
        return _fernet(key).decrypt(data[len(ENCRYPTED_HEADER) :])
    except InvalidToken:
        raise BackupError(
            f"{source} cannot be decrypted: wrong key, or the file was damaged"
        ) from None


def _libpq_url(engine: Engine) -> str:
    """The URL as pg_dump understands it (no SQLAlchemy driver suffix), without the password.

    A password on the command line is visible to every user of the machine (``ps``); it
    travels in the child's environment instead (``_pg_environment``).
    """
    url = engine.url
    return URL.create(
        "postgresql", url.username, None, url.host, url.port, url.database, url.query
    ).render_as_string(hide_password=False)


def _pg_environment(engine: Engine) -> dict[str, str]:
    """The environment for pg_dump and pg_restore: ours, plus PGPASSWORD when the URL has one."""
    environment = dict(os.environ)
    if engine.url.password:
        environment["PGPASSWORD"] = str(engine.url.password)
    return environment


#: Tables participants write, keyed by random ids. PostgreSQL keeps rows in the order they were
#: written and pg_dump copies them in that order; the backup first rewrites each in key order,
#: so that the copy says nothing about who wrote when (TARGETS A11).
CONTENT_TABLES = (
    "contributions",
    "member_checks",
    "contribution_embeddings",
    "identifying_spans",
    "question_answers",
)


def _reorder_content(engine: Engine) -> None:
    """Rewrite the content tables in the order of their random primary keys (``CLUSTER``).

    ``CLUSTER`` locks each table while it copies it: moments for the small tables of a
    dialogue, the price of a backup that keeps no write order.
    """
    with engine.begin() as connection:
        for table in CONTENT_TABLES:
            connection.exec_driver_sql(f'CLUSTER "{table}" USING "pk_{table}"')


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client)")
    return path


def _run(command: list[str], stdin: bytes | None = None, env: dict | None = None) -> bytes:
    # A fixed executable and an argument list, never a shell.
    result = subprocess.run(  # nosec B603
        command, input=stdin, capture_output=True, check=False, env=env
    )
    if result.returncode != 0:
        stderr = result.stderr.decode("utf-8", "replace").strip()
        raise BackupError(stderr.splitlines()[-1] if stderr else "failed")
    return result.stdout


def _sqlite_bytes(engine: Engine) -> bytes:
    """A consistent copy of the SQLite database, made in memory with the online backup API."""
    with contextlib.closing(sqlite3.connect(":memory:")) as memory:
        source = engine.raw_connection()
        try:
            source.driver_connection.backup(memory)
        finally:
            source.close()
        return memory.serialize()


def backup(engine: Engine, target: Path, *, key: str | None = None) -> None:
    """Write a consistent copy of the database to ``target``; encrypted when given a key."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {exc.strerror}") from exc
    if key is not None:
        fernet = _fernet(key)
        if engine.dialect.name == "sqlite":
            plain = _sqlite_bytes(engine)
        else:
            _reorder_content(engine)
            plain = _run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", _libpq_url(engine)],
                env=_pg_environment(engine),
            )
        _write_private(target, ENCRYPTED_HEADER + fernet.encrypt(plain))
        return
    if engine.dialect.name == "sqlite":
        with sqlite3.connect(target) as destination:
            source = engine.raw_connection()
            try:
                source.driver_connection.backup(destination)
            finally:
                source.close()
        os.chmod(target, 0o600)
        return
    _reorder_content(engine)
    _run(
        [
            _pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--file",
            str(target),
            _libpq_url(engine),
        ],
        env=_pg_environment(engine),
    )
    os.chmod(target, 0o600)


def restore(engine: Engine, source: Path, *, key: str | None = None) -> None:
    """Replace the database's content with the backup in ``source`` (decrypted with ``key``).

    An encrypted backup is recognised by its first line; restoring it without a key, or a
    plain backup when a key is given, is refused (a key means "expect it encrypted").
    """
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    encrypted = is_encrypted(source)
    if encrypted and key is None:
        raise BackupError(f"{source} is encrypted: set {KEY_VARIABLE} and use --encrypt")
    if key is not None:
        plain = _decrypt(source, key)
        engine.dispose()
        if engine.dialect.name == "sqlite":
            _restore_sqlite_bytes(engine, plain, source)
        else:
            _run(_pg_restore_command(engine), stdin=plain, env=_pg_environment(engine))
        return
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
    _run([*_pg_restore_command(engine), str(source)], env=_pg_environment(engine))


def _pg_restore_command(engine: Engine) -> list[str]:
    """pg_restore into the engine's database; the dump is read from stdin unless appended."""
    return [
        _pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--dbname",
        _libpq_url(engine),
    ]


def _restore_sqlite_bytes(engine: Engine, plain: bytes, source: Path) -> None:
    """Copy a decrypted SQLite image into the engine's database with the backup API."""
    try:
        with contextlib.closing(sqlite3.connect(":memory:")) as memory:
            # An in-memory database cannot be in WAL mode: mark the image as rollback-journal
            # (header bytes 18 and 19); the destination keeps its own journal mode.
            image = bytearray(plain)
            if image[:16] == b"SQLite format 3\0" and len(image) >= 20:
                image[18:20] = b"\x01\x01"
            memory.deserialize(bytes(image))
            memory.execute("PRAGMA schema_version")
            destination = engine.raw_connection()
            try:
                memory.backup(destination.driver_connection)
            finally:
                destination.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} does not hold a SQLite backup ({exc})") from exc
