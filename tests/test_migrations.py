"""The schema comes from migrations alone, and the migrations agree with the models (TARGETS R4).

pytest-alembic's four built-in tests run on the backend of the run (SQLite, or PostgreSQL with
``TEST_DATABASE_URL``), each on an empty database of its own. The data-bearing test seeds the
demo dialogue one revision before head, upgrades, re-checks A1 and A4, and goes down and up
again; head−1 is read from the script directory, so it follows new migrations as they land.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from pytest_alembic.tests import (  # noqa: F401  (collected here, bound to our databases)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

from dialogue.core import migrate
from dialogue.core.access import current_author
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Membership, Role
from dialogue.demo.services import content as demo_content
from rounds.submissions import list_own
from tests.dialogue.core.test_anonymity import CONTENT_COLUMNS, IDENTITY_TABLES, STAFF_ACTION_TABLES

CORE_TABLES = {"dialogues", "people", "memberships", "rounds", "contributions", "audit_events"}


@pytest.fixture
def migration_app(fresh_database_url, app_factory):
    """An app on an empty database of the run's backend."""
    return app_factory(fresh_database_url)


@pytest.fixture
def alembic_config(migration_app):
    """The app's own Alembic configuration, so env.py migrates with the app's engine."""
    return migrate.alembic_config(migration_app)


@pytest.fixture
def alembic_engine(migration_app):
    return migration_app.extensions["db_engine"]


def test_upgrade_then_downgrade_to_base_leaves_an_empty_schema(migration_app):
    engine = migration_app.extensions["db_engine"]

    migrate.upgrade(migration_app)
    assert set(sa.inspect(engine).get_table_names()) >= CORE_TABLES
    assert migrate.is_up_to_date(migration_app)

    migrate.downgrade(migration_app, "base")
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}

    migrate.upgrade(migration_app)
    assert set(sa.inspect(engine).get_table_names()) >= CORE_TABLES


# --- Data-bearing: the demo dialogue seeded at head−1 survives the newest migration ---


def head_and_previous(app) -> tuple[str, str]:
    """The head revision and the one before it, as the script directory says today."""
    script = ScriptDirectory.from_config(migrate.alembic_config(app))
    head = script.get_revision(script.get_current_head())
    (previous,) = head._normalized_down_revisions
    return head.revision, previous


def reflect(engine) -> sa.MetaData:
    metadata = sa.MetaData()
    metadata.reflect(engine)
    metadata.remove(metadata.tables["alembic_version"])
    return metadata


def snapshot(engine, metadata: sa.MetaData) -> dict[str, list[dict]]:
    """Every row of every table in ``metadata``, in a stable order."""
    with engine.connect() as connection:
        return {
            table.name: sorted(
                (dict(row._mapping) for row in connection.execute(sa.select(table))), key=repr
            )
            for table in metadata.sorted_tables
        }


def restricted(rows: dict[str, list[dict]], metadata: sa.MetaData) -> dict[str, list[dict]]:
    """``rows`` cut down to the tables and columns they share with ``metadata``."""
    return {
        table.name: sorted(
            (
                {column.name: row[column.name] for column in table.columns if column.name in row}
                for row in rows[table.name]
            ),
            key=repr,
        )
        for table in metadata.sorted_tables
        if table.name in rows
    }


def _fitting(engine, table: sa.Table, rows: list[dict]) -> list[dict]:
    """``rows`` with random 64-bit ids numbered 1, 2 … where the older column is 32-bit.

    Ids that newer code draws at random (identifying spans) do not fit an older integer column;
    an older database held counted ids there, which nothing else refers to.
    """
    column = table.columns.get("id")
    if (
        engine.dialect.name != "postgresql"
        or column is None
        or not isinstance(column.type, sa.Integer)
        or isinstance(column.type, sa.BigInteger)
        or all(row["id"] < 2**31 for row in rows)
    ):
        return rows
    ordered = sorted(rows, key=lambda row: row["id"])
    return [row | {"id": place} for place, row in enumerate(ordered, start=1)]


def load_rows(engine, metadata: sa.MetaData, rows: dict[str, list[dict]]) -> None:
    """Insert ``rows`` as they are, ids included, like a restore of an older database.

    Foreign-key checks are off meanwhile (themes point at themes merged into them, in any
    order); PostgreSQL's id sequences are moved past the loaded ids afterwards.
    """
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        else:
            connection.execute(sa.text("SET session_replication_role = replica"))
        for table in metadata.sorted_tables:
            if rows.get(table.name):
                connection.execute(table.insert(), _fitting(engine, table, rows[table.name]))
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("SET session_replication_role = DEFAULT"))
            for table in metadata.sorted_tables:
                if "id" in table.columns and isinstance(table.columns["id"].type, sa.Integer):
                    connection.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                        )
                    )
        connection.commit()
        if engine.dialect.name == "sqlite":
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


@pytest.fixture
def seeded_before_head(migration_app):
    """The demo dialogue stored in a database at head−1 (built at head, then loaded back)."""
    engine = migration_app.extensions["db_engine"]
    head, previous = head_and_previous(migration_app)
    migrate.upgrade(migration_app)
    result = migration_app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    Session.remove()
    built = snapshot(engine, reflect(engine))
    migrate.downgrade(migration_app, "base")
    migrate.upgrade(migration_app, previous)
    older = reflect(engine)
    load_rows(engine, older, built)
    seeded = snapshot(engine, older)
    assert len(seeded["contributions"]) > 100
    assert seeded["contributions"] == restricted(built, older)["contributions"]
    return migration_app, older, seeded, head


def assert_content_tables_carry_no_identity(engine, rows):
    """A1 on the migrated database itself: its columns, its foreign keys, its rows."""
    inspector = sa.inspect(engine)
    tables = set(inspector.get_table_names()) - {"alembic_version"}
    assert tables == IDENTITY_TABLES | set(STAFF_ACTION_TABLES) | set(CONTENT_COLUMNS)
    for name, allowed in CONTENT_COLUMNS.items():
        assert {column["name"] for column in inspector.get_columns(name)} == allowed, name
        referred = {key["referred_table"] for key in inspector.get_foreign_keys(name)}
        assert not referred & IDENTITY_TABLES, name
    content = " ".join(
        str(v) for name in CONTENT_COLUMNS for row in rows[name] for v in row.values()
    )
    for person in rows["people"]:
        assert person["email"] not in content
        assert person["name"] not in content


def assert_self_trace_is_exact(app, seeded):
    """A4: each participant's own input, as the app finds it, is exactly what they wrote."""
    written: dict[str, set] = {}
    for row in seeded["contributions"]:
        written.setdefault(row["author"], set()).add(uuid.UUID(str(row["id"])))
    found_by_someone = set()
    with app.app_context():
        dialogue = Session.scalar(sa.select(Dialogue).where(Dialogue.slug == demo_content.SLUG))
        participants = Session.scalars(
            sa.select(Membership).where(
                Membership.dialogue_id == dialogue.id, Membership.role == Role.PARTICIPANT
            )
        ).all()
        assert len(participants) > 100
        for membership in participants:
            author = current_author(membership)
            own = {c.id for round_ in dialogue.rounds for c in list_own(round_, author)}
            assert own == written.get(author, set())
            assert not own & found_by_someone
            found_by_someone |= own
        Session.remove()
    assert found_by_someone == set().union(*written.values())


def test_a_populated_dialogue_survives_the_newest_migration_down_and_up(seeded_before_head):
    app, older, seeded, head = seeded_before_head
    engine = app.extensions["db_engine"]

    migrate.upgrade(app, head)
    upgraded = snapshot(engine, reflect(engine))
    assert restricted(upgraded, older) == restricted(seeded, reflect(engine))
    assert_content_tables_carry_no_identity(engine, upgraded)
    assert_self_trace_is_exact(app, seeded)

    _, previous = head_and_previous(app)
    migrate.downgrade(app, previous)
    assert restricted(snapshot(engine, reflect(engine)), older) == seeded
    migrate.upgrade(app, head)
    assert snapshot(engine, reflect(engine)) == upgraded
    assert_self_trace_is_exact(app, seeded)
