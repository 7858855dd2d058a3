"""Backups round-trip a populated dialogue table by table, on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import select, text

from dialogue import migrate
from dialogue.backup import BackupError, backup, restore
from dialogue.db import Base, Session


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
