"""SQLite writers: how a writing transaction waits for the lock, and the read before it."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from dialogue.core import db
from dialogue.core.db import WRITE_INTENT, make_engine, read_apart


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    yield engine
    engine.dispose()


def write(engine, n: int) -> None:
    token = WRITE_INTENT.set(True)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
    finally:
        WRITE_INTENT.reset(token)


def test_a_waiting_writer_goes_once_the_lock_is_free(engine):
    token = WRITE_INTENT.set(True)
    holder = engine.connect()
    holder.begin()  # BEGIN IMMEDIATE: the write lock is held
    WRITE_INTENT.reset(token)
    holder.execute(text("INSERT INTO t VALUES (1)"))
    waiter = threading.Thread(target=write, args=(engine, 2))
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive()  # waiting, not failed
    holder.commit()
    holder.close()
    waiter.join(10)
    assert not waiter.is_alive()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM t ORDER BY n")).scalars().all() == [1, 2]


def test_a_writer_gives_up_after_the_busy_timeout_with_the_usual_error(engine, monkeypatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    token = WRITE_INTENT.set(True)
    holder = engine.connect()
    holder.begin()
    WRITE_INTENT.reset(token)
    try:
        with pytest.raises(OperationalError, match="locked"):
            write(engine, 2)  # the error pages turn this into a 503
    finally:
        holder.rollback()
        holder.close()
    write(engine, 3)  # the connection's own busy timeout was restored
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() == 50


def test_reads_apart_share_one_transaction_that_ends_before_the_write(app_factory, tmp_path):
    app = app_factory(f"sqlite:///{tmp_path / 'app.db'}")
    statements = []
    event.listen(
        app.extensions["db_engine"],
        "before_cursor_execute",
        lambda _conn, _cursor, sql, *_rest: statements.append(sql),
    )
    with app.app_context():
        token = WRITE_INTENT.set(True)
        try:
            assert read_apart(lambda: db.Session.scalar(text("SELECT 1"))) == 1
            assert read_apart(lambda: db.Session.scalar(text("SELECT 2"))) == 2
            assert db.Session.scalar(text("SELECT 3")) == 3
        finally:
            WRITE_INTENT.reset(token)
        db.Session.remove()
    assert statements == [
        "BEGIN",
        "SELECT 1",
        "SELECT 2",
        "COMMIT",
        "PRAGMA busy_timeout=0",
        "BEGIN IMMEDIATE",
        f"PRAGMA busy_timeout={db.BUSY_TIMEOUT_MS}",
        "SELECT 3",
    ]


def test_a_write_after_the_reads_is_kept_though_another_worker_wrote_between(app_factory, tmp_path):
    app = app_factory(f"sqlite:///{tmp_path / 'app.db'}")
    engine = app.extensions["db_engine"]
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    with app.app_context():
        token = WRITE_INTENT.set(True)
        try:
            assert read_apart(lambda: db.Session.scalar(text("SELECT count(*) FROM t"))) == 0
            write(engine, 1)  # in a deferred read transaction, this write would fail the next
            db.Session.execute(text("INSERT INTO t VALUES (2)"))
            db.Session.commit()
        finally:
            WRITE_INTENT.reset(token)
        db.Session.remove()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM t ORDER BY n")).scalars().all() == [1, 2]
