"""Backups round-trip a populated dialogue table by table, on SQLite and PostgreSQL."""

import json
import os
import sys

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from dialogue.backup import BackupError, backup, restore
from dialogue.core import migrate
from dialogue.core.db import Base, Session, make_engine


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
