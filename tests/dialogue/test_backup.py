"""Backups round-trip a populated dialogue table by table, on SQLite and PostgreSQL.

Encrypted backups (TARGETS R5): ``dialogue backup --encrypt`` / ``restore --encrypt``.
Fernet (``cryptography``) with the key from ``DIALOGUE_BACKUP_KEY``. An encrypted backup
round-trips every row on SQLite and PostgreSQL, holds no plaintext, is readable by its owner
only, and is refused (leaving the database untouched) with a wrong key, when tampered with, or
without a key. Several comma-separated keys allow rotation.
"""

from __future__ import annotations

import inspect
import json
import os
import stat
import sys

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from dialogue import backup as backup_module
from dialogue.backup import ENCRYPTED_HEADER, BackupError, backup, is_encrypted, restore
from dialogue.core import migrate
from dialogue.core.db import Base, Session, make_engine

CANARY = "Kanariefugl-7781 skrev om sygefravær"


def table_contents(engine):
    with engine.connect() as connection:
        return {
            name: sorted(map(tuple, connection.execute(select(table)).all()), key=repr)
            for name, table in Base.metadata.tables.items()
        }


@pytest.fixture
def populated_app(fresh_database_url, app_factory):
    app = app_factory(fresh_database_url)
    migrate.upgrade(app)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    Session.remove()
    with app.extensions["db_engine"].begin() as connection:
        connection.execute(
            text(
                "UPDATE contributions SET body = :b WHERE id IN "
                "(SELECT id FROM contributions ORDER BY id LIMIT 1)"
            ),
            {"b": CANARY},
        )
    return app


def test_backup_and_restore_bring_back_every_row(populated_app, tmp_path):
    engine = populated_app.extensions["db_engine"]
    before = table_contents(engine)
    assert len(before["contributions"]) > 100

    backup(engine, tmp_path / "dialogue.backup")
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM contributions"))
        connection.execute(text("UPDATE dialogues SET title = 'changed'"))
    restore(engine, tmp_path / "dialogue.backup")

    assert table_contents(engine) == before


def test_the_backup_holds_no_anonymity_secret(populated_app, tmp_path):
    path = tmp_path / "dialogue.backup"
    backup(populated_app.extensions["db_engine"], path)
    assert populated_app.config["ANON_SECRET"].encode() not in path.read_bytes()


def test_restoring_something_that_is_not_a_backup_fails_cleanly(populated_app, tmp_path):
    bogus = tmp_path / "bogus.backup"
    bogus.write_bytes(b"this is not a database")
    engine = populated_app.extensions["db_engine"]
    before = table_contents(engine)
    with pytest.raises(BackupError):
        restore(engine, bogus)
    assert table_contents(engine) == before


def test_the_postgresql_password_never_reaches_the_command_line(
    app, database_url, tmp_path, monkeypatch
):
    """pg_dump's arguments are visible to every user of the machine (ps); its environment is not.

    A stand-in pg_dump first on PATH records what it was given; the database is the real one.
    """
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("pg_dump is used for PostgreSQL only")
    tools = tmp_path / "bin"
    tools.mkdir()
    record = tmp_path / "seen.json"
    (tools / "pg_dump").write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        f"json.dump({{'argv': sys.argv, 'password': os.environ.get('PGPASSWORD')}}, "
        f"open({str(record)!r}, 'w'))\n"
        "open(sys.argv[sys.argv.index('--file') + 1], 'wb').close()\n"
    )
    (tools / "pg_dump").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    engine = make_engine(make_url(database_url).set(password="s3cret-word").render_as_string(False))
    try:
        backup(engine, tmp_path / "dialogue.backup")
    finally:
        engine.dispose()
    seen = json.loads(record.read_text())
    assert "s3cret-word" not in " ".join(seen["argv"])
    assert seen["password"] == "s3cret-word"


# --- Encrypted backups ------------------------------------------------------------------------


@pytest.fixture
def key():
    return Fernet.generate_key().decode()


def wreck(engine):
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM contributions"))
        connection.execute(text("UPDATE dialogues SET title = 'changed'"))


def test_an_encrypted_backup_brings_back_every_row(populated_app, tmp_path, key):
    engine = populated_app.extensions["db_engine"]
    before = table_contents(engine)
    path = tmp_path / "dialogue.backup.enc"

    backup(engine, path, key=key)
    wreck(engine)
    restore(engine, path, key=key)

    assert table_contents(engine) == before
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_an_encrypted_backup_holds_no_plaintext_and_only_its_owner_reads_it(
    populated_app, tmp_path, key
):
    path = tmp_path / "dialogue.backup.enc"
    backup(populated_app.extensions["db_engine"], path, key=key)
    data = path.read_bytes()

    assert data.startswith(ENCRYPTED_HEADER)
    assert is_encrypted(path)
    for plaintext in (CANARY, "SQLite format 3", "PGDMP", "contributions", "@example"):
        assert plaintext.encode() not in data
    assert populated_app.config["ANON_SECRET"].encode() not in data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("damage", ["wrong key", "tampered", "truncated", "no key", "plain"])
def test_a_bad_restore_is_refused_and_leaves_the_database_alone(
    populated_app, tmp_path, key, damage
):
    engine = populated_app.extensions["db_engine"]
    path = tmp_path / "dialogue.backup"
    backup(engine, path, key=None if damage == "plain" else key)
    data = bytearray(path.read_bytes())
    if damage == "tampered":
        data[len(data) // 2] ^= 0x01
        data[len(data) // 2] = data[len(data) // 2] or ord("A")
    elif damage == "truncated":
        data = data[: len(data) // 2]
    path.write_bytes(bytes(data))
    restore_key = {"wrong key": Fernet.generate_key().decode(), "no key": None}.get(damage, key)
    before = table_contents(engine)

    with pytest.raises(BackupError):
        restore(engine, path, key=restore_key)

    assert table_contents(engine) == before


def test_an_invalid_key_is_a_clear_error(populated_app, tmp_path):
    with pytest.raises(BackupError, match="not a valid key"):
        backup(populated_app.extensions["db_engine"], tmp_path / "x", key="not-a-fernet-key")


def test_keys_can_be_rotated(populated_app, tmp_path, key):
    engine = populated_app.extensions["db_engine"]
    before = table_contents(engine)
    path = tmp_path / "old.backup"
    backup(engine, path, key=key)
    wreck(engine)
    restore(engine, path, key=f"{Fernet.generate_key().decode()},{key}")
    assert table_contents(engine) == before


def test_the_commands_encrypt_with_the_key_from_the_environment(
    populated_app, tmp_path, key, monkeypatch
):
    runner = populated_app.test_cli_runner()
    path = tmp_path / "cli.backup"
    monkeypatch.delenv("DIALOGUE_BACKUP_KEY", raising=False)
    result = runner.invoke(args=["backup", "--encrypt", str(path)])
    assert isinstance(result.exception, BackupError)
    assert "DIALOGUE_BACKUP_KEY" in str(result.exception)
    assert not path.exists()

    monkeypatch.setenv("DIALOGUE_BACKUP_KEY", key)
    result = runner.invoke(args=["backup", "--encrypt", str(path)])
    assert result.exit_code == 0, result.output
    assert "encrypted backup written" in result.output
    assert is_encrypted(path)

    engine = populated_app.extensions["db_engine"]
    before = table_contents(engine)
    wreck(engine)
    result = runner.invoke(args=["restore", "--yes", str(path)])
    assert isinstance(result.exception, BackupError), "restored without --encrypt"
    result = runner.invoke(args=["restore", "--encrypt", "--yes", str(path)])
    assert result.exit_code == 0, result.output
    assert table_contents(engine) == before


def test_sqlite_is_copied_with_the_online_backup_api_never_as_a_file():
    """A file copy of a live WAL database can be torn (TARGETS R5): only the API is used."""
    source = inspect.getsource(backup_module)
    assert "driver_connection.backup(" in source
    for forbidden in ("copyfile", "copy2", "shutil.copy(", "copytree", '"cp"'):
        assert forbidden not in source
