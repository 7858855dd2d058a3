"""The schema comes from migrations alone, and the migrations agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from dialogue import migrate
from dialogue.db import Base

CORE_TABLES = {"dialogues", "people", "memberships", "rounds", "contributions", "audit_events"}


def test_migrations_have_a_single_head(app):
    script = ScriptDirectory.from_config(migrate.alembic_config(app))
    assert len(script.get_heads()) == 1


def test_upgrade_then_downgrade_to_base_leaves_an_empty_schema(fresh_database_url, app_factory):
    app = app_factory(fresh_database_url)
    engine = app.extensions["db_engine"]

    migrate.upgrade(app)
    assert set(inspect(engine).get_table_names()) >= CORE_TABLES
    assert migrate.is_up_to_date(app)

    migrate.downgrade(app, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

    migrate.upgrade(app)
    assert set(inspect(engine).get_table_names()) >= CORE_TABLES
    engine.dispose()


def test_models_and_migrations_agree(app):
    with app.extensions["db_engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
