"""Alembic environment: migrate the app's database with the app's own engine settings."""

from alembic import context

from dialogue.core import models  # noqa: F401  (registers every table on Base.metadata)
from dialogue.core.db import Base, UTCDateTime

config = context.config


def get_engine():
    """The engine handed over by ``dialogue db``, or the configured app's when run directly."""
    engine = config.attributes.get("engine")
    if engine is None:
        from dialogue import create_app

        engine = create_app().extensions["db_engine"]
    return engine


def render_item(type_, obj, autogen_context):
    """Render our UTC timestamp type as the plain column type, so revisions import nothing."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_object(obj, _name, _type, _reflected, _compare_to) -> bool:
    """Compare only what the models create on this backend (see ``Index.ddl_if``)."""
    only = getattr(getattr(obj, "_ddl_if", None), "dialect", None)
    return only is None or only == context.get_bind().dialect.name


def run_migrations_online() -> None:
    """Run migrations in one transaction per revision.

    SQLite rebuilds tables for most ALTERs ("batch mode"); foreign keys must be off meanwhile or
    dropping the old table would cascade. The pragma only works outside a transaction, so it is
    sent on the raw connection before SQLAlchemy begins one.
    """
    engine = get_engine()
    is_sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if is_sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=is_sqlite,
            compare_type=True,
            render_item=render_item,
            include_object=include_object,
            transaction_per_migration=True,
        )
        context.run_migrations()
        if is_sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
