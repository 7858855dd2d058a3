"""Alembic, driven by the app: ``dialogue db upgrade`` and friends, and the tests."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

from dialogue.core.config import PROJECT_ROOT


def alembic_config(app: Flask) -> Config:
    """Alembic's configuration, bound to the app's engine (and so its SQLite pragmas)."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["engine"] = app.extensions["db_engine"]
    return config


def upgrade(app: Flask, revision: str = "head") -> None:
    """Migrate the database up to ``revision``."""
    command.upgrade(alembic_config(app), revision)


def downgrade(app: Flask, revision: str) -> None:
    """Migrate the database down to ``revision`` ("base" empties it)."""
    command.downgrade(alembic_config(app), revision)


def is_up_to_date(app: Flask) -> bool:
    """Whether the database is at the newest revision."""
    config = alembic_config(app)
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with app.extensions["db_engine"].connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads
