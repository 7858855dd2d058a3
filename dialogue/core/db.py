"""Database plumbing: the declarative base, the engine and the request-scoped session.

Plain SQLAlchemy 2 rather than Flask-SQLAlchemy, so that tests can join every session into an
outer transaction with public API only (see ``tests/conftest.py``).
"""

from __future__ import annotations

import datetime as dt
import enum
import sqlite3
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

from sqlalchemy import DateTime, Enum, MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

T = TypeVar("T")
#: How long an SQLite connection waits for a lock before it gives up ("database is locked").
BUSY_TIMEOUT_MS = 10_000

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timestamp that is always aware and in UTC on the Python side.

    SQLite has no time zone type and silently drops the offset, so a value read back would be
    naive. Storing naive UTC and re-attaching UTC on the way out makes both backends agree.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Refuse naive values; send UTC (naive on SQLite, which cannot keep an offset)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        """Return an aware UTC datetime whatever the backend gave back."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def enum_type(enum_class: type[enum.Enum]) -> Enum:
    """Store an enum by its value in a plain string column, portable across backends."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
    )


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints predictably."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


Session = scoped_session(sessionmaker(expire_on_commit=False))

#: Set while handling a request that will write. On SQLite its transaction then starts with
#: BEGIN IMMEDIATE: a deferred transaction that reads first and writes later fails at once
#: (SQLITE_BUSY_SNAPSHOT, which the busy timeout does not retry) if another worker wrote
#: in between. Taking the write lock up front makes concurrent writers wait their turn instead.
WRITE_INTENT: ContextVar[bool] = ContextVar("write_intent", default=False)


#: Set while ``read_apart`` runs its reads: a transaction begun then is a read phase.
_READING: ContextVar[bool] = ContextVar("reading_apart", default=False)
#: Marks, in the connection's ``info``, an open read phase that a write must end first.
_READ_PHASE = "dialogue_read_phase"


def read_apart(read: Callable[[], T]) -> T:
    """Run `read` before the write lock is taken, when this request will write (SQLite).

    On SQLite a writing request holds the database's one write lock from its BEGIN IMMEDIATE to
    its commit; reading who is signed in, their membership and the round first keeps the lock
    for the request's own work and lets the other workers' writes go in the meantime. The reads
    of one request share one deferred transaction (a read phase), which the first statement
    outside ``read_apart`` commits before it takes the write lock: one read transaction per
    request instead of one per ``read_apart``. Objects stay loaded (the session does not
    expire them on commit). Inside a write transaction, or elsewhere, `read` simply runs.
    """
    if not WRITE_INTENT.get() or Session.get_bind().dialect.name != "sqlite":
        return read()
    intent, reading = WRITE_INTENT.set(False), _READING.set(True)
    try:
        return read()
    finally:
        _READING.reset(reading)
        WRITE_INTENT.reset(intent)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout and FULL sync on every connection.

    pysqlite's own transaction handling breaks SAVEPOINT, so we switch it off and emit BEGIN
    ourselves (the recipe from SQLAlchemy's pysqlite dialect documentation).
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode != "wal" and engine.url.database not in (None, "", ":memory:"):
            raise RuntimeError(f"SQLite refused write-ahead logging (journal_mode={mode})")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    # A writer waiting for the lock is better served by trying again every millisecond than by
    # SQLite's busy handler, whose sleeps grow to 100 ms: under load one worker got every turn
    # while the other slept. The busy timeout still bounds the wait, and still serves readers.
    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if WRITE_INTENT.get():
            _begin_immediate(connection)
        else:
            connection.exec_driver_sql("BEGIN")
            if _READING.get():
                connection.info[_READ_PHASE] = True

    # The first statement after the read phase, read or write, runs in a write transaction: a
    # deferred transaction that wrote later would fail at once if another worker wrote since.
    @event.listens_for(engine, "before_cursor_execute")
    def end_read_phase(connection, _cursor, _statement, _parameters, _context, _executemany):
        if not _READING.get() and connection.info.pop(_READ_PHASE, False):
            connection.exec_driver_sql("COMMIT")
            _begin_immediate(connection)

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def forget_read_phase(connection):
        connection.info.pop(_READ_PHASE, None)

    # The pool's own rollback of a returned connection fires neither event above: a mark left
    # then would make the next request's first read take the write lock.
    @event.listens_for(engine, "checkin")
    def forget_read_phase_on_checkin(_dbapi_connection, record):
        record.info.pop(_READ_PHASE, None)


def _begin_immediate(connection) -> None:
    """BEGIN IMMEDIATE, tried every millisecond until the write lock is ours or the wait is up."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    connection.exec_driver_sql("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as exc:
                busy = getattr(exc.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY
                if not busy or time.monotonic() >= deadline:
                    raise
            time.sleep(0.001)
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def make_engine(url: str) -> Engine:
    """Create the engine for ``url`` with the settings each backend needs.

    Parameters are hidden from error messages, because they may hold contribution text.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, hide_parameters=True)
        _configure_sqlite(engine)
        return engine
    return create_engine(parsed, pool_pre_ping=True, hide_parameters=True)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def release_session(app) -> None:
    """End the request's session; a connection the database already dropped is just forgotten.

    Rolling back on a connection PostgreSQL has terminated raises; left alone, that error
    escapes Flask and the client gets a bare 500 instead of the friendly 503.
    """
    try:
        Session.remove()
    except SQLAlchemyError:
        Session.registry.clear()
        app.logger.warning("database connection lost while closing a session")


def init_app(app) -> None:
    """Bind the session to the app's database and release it after every request."""
    from flask import g, request

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    Session.configure(bind=engine)

    @app.before_request
    def declare_write_intent():
        if request.method not in SAFE_METHODS:
            g.write_intent_token = WRITE_INTENT.set(True)

    @app.teardown_request
    def clear_write_intent(_exc=None):
        token = g.pop("write_intent_token", None)
        if token is not None:
            WRITE_INTENT.reset(token)

    @app.teardown_appcontext
    def remove_session(_exc=None):
        release_session(app)
