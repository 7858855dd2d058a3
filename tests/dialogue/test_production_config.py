"""Production errors and configuration leak nothing (TARGETS S12).

Complements
``web/test_views.py::test_unexpected_error_shows_a_generic_page_without_details`` (which
flips TESTING on an app built for tests): here the app is *built* with production settings
(TESTING and DEBUG off, exceptions not propagated) and routes fail in the ways that would leak
the most: an exception quoting SQL and data, a real database error, an error inside a template.
The pages must show no traceback, no SQL, no file path and nothing of the failing data.

Secrets: SECRET_KEY and ANON_SECRET have no built-in default. Unless set in the environment,
each instance generates its own, so two fresh instance folders get different ones, and a secret
shorter than 32 characters is refused wherever it comes from.
"""

from __future__ import annotations

import ast
import re

import pytest
from flask import render_template_string
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from dialogue import PROJECT_ROOT, create_app
from dialogue.core.config import (
    ENVIRONMENT,
    MIN_SECRET_LENGTH,
    ConfigError,
    finish_config,
    load_config,
)
from dialogue.core.db import Session
from tests.conftest import TEST_SECRETS

CANARY = "Karen Canary-Sørensen 10.77.1.9"
LEAKS = [
    "Traceback",
    'File "',
    "line ",
    "site-packages",
    str(PROJECT_ROOT),
    "sqlalchemy",
    "sqlite3",
    "psycopg",
    "SELECT",
    "INSERT INTO",
    "no_such_table",
    "people.email",
    "UNIQUE constraint",
    "RuntimeError",
    "IntegrityError",
    "UndefinedError",
    "Werkzeug Debugger",
    CANARY,
]
PATH_LIKE = re.compile(r"(?:/[\w.-]+){2,}\.(?:py|html|pyc)\b")


@pytest.fixture
def production_app(database_url, tmp_path, monkeypatch):
    """An app as gunicorn builds it: no TESTING, no DEBUG, errors handled, not propagated."""
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "RATELIMIT_ENABLED": False,
            **TEST_SECRETS,
        }
    )
    assert app.testing is False
    assert app.debug is False
    assert not app.config.get("PROPAGATE_EXCEPTIONS")

    @app.route("/fail/exception")
    def fail_exception():
        raise RuntimeError(f"while saving {CANARY}: SELECT * FROM people WHERE email = 'x'")

    @app.route("/fail/integrity")
    def fail_integrity():
        raise IntegrityError(
            f"INSERT INTO people (email) VALUES ('{CANARY}')",
            {"email": CANARY},
            Exception("UNIQUE constraint failed: people.email"),
        )

    @app.route("/fail/sql")
    def fail_sql():
        Session.execute(text("SELECT secret_column FROM no_such_table"))
        return "unreachable"

    @app.route("/fail/template")
    def fail_template():
        return render_template_string("{{ person.missing.attribute }}", person=None)

    @app.route("/fail/division")
    def fail_division():
        return str(1 / 0)

    yield app
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("path", ["exception", "integrity", "sql", "template", "division"])
def test_a_failing_route_shows_a_generic_page_and_leaks_nothing(production_app, path):
    response = production_app.test_client().get(f"/fail/{path}")
    body = response.get_data(as_text=True)

    assert response.status_code in (500, 503)
    assert response.mimetype == "text/html"
    for leak in LEAKS:
        assert leak not in body, f"{leak!r} leaked into the {response.status_code} page"
    assert not PATH_LIKE.search(body), PATH_LIKE.search(body).group(0)
    # The error page carries the same security headers as every other page.
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_log_names_the_place_of_an_error_but_not_its_data(production_app, caplog):
    production_app.test_client().get("/fail/exception")
    assert "RuntimeError" in caplog.text
    assert CANARY not in caplog.text
    assert "SELECT" not in caplog.text


@pytest.mark.parametrize("path", ["/no/such/page", "/login?next=/etc/passwd"])
def test_other_error_pages_leak_nothing_either(production_app, path):
    body = production_app.test_client().get(path).get_data(as_text=True)
    assert "Traceback" not in body
    assert not PATH_LIKE.search(body)


def test_flask_debug_in_the_environment_cannot_expose_a_traceback(
    database_url, tmp_path, monkeypatch
):
    """Even FLASK_DEBUG=1 left in a production environment shows the generic page."""
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app(
        {"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / "i"), **TEST_SECRETS}
    )

    @app.route("/fail")
    def fail():
        raise RuntimeError(CANARY)

    try:
        body = app.test_client().get("/fail").get_data(as_text=True)
    finally:
        app.extensions["db_engine"].dispose()
    assert "Traceback" not in body
    assert CANARY not in body


# --- Secrets ------------------------------------------------------------------------------


def test_the_code_has_no_default_secret():
    assert ENVIRONMENT["SECRET_KEY"] is None
    assert ENVIRONMENT["ANON_SECRET"] is None
    source = (PROJECT_ROOT / "dialogue" / "core" / "config.py").read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert len(node.value) < MIN_SECRET_LENGTH or " " in node.value, node.value


def test_each_fresh_instance_generates_its_own_secrets(tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "ANON_SECRET"):
        monkeypatch.delenv(name, raising=False)
    first = load_config(tmp_path / "one")
    second = load_config(tmp_path / "two")
    for name in ("SECRET_KEY", "ANON_SECRET"):
        assert len(first[name]) >= MIN_SECRET_LENGTH
        assert first[name] != second[name]
        assert first[name] not in TEST_SECRETS.values()
    assert first["SECRET_KEY"] != first["ANON_SECRET"]
    finish_config(first)  # and they pass the checks


def test_the_app_itself_uses_the_generated_secrets(database_url, tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "ANON_SECRET"):
        monkeypatch.delenv(name, raising=False)
    apps = [
        create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path / name)})
        for name in ("a", "b")
    ]
    try:
        for name in ("SECRET_KEY", "ANON_SECRET"):
            assert apps[0].config[name] != apps[1].config[name]
            assert apps[0].config[name] == (tmp_path / "a" / name.lower()).read_text().strip()
    finally:
        for app in apps:
            app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("name", ["SECRET_KEY", "ANON_SECRET"])
@pytest.mark.parametrize("value", ["", "changeme", "x" * (MIN_SECRET_LENGTH - 1)])
def test_a_short_secret_from_the_environment_is_refused(tmp_path, monkeypatch, name, value):
    other = "ANON_SECRET" if name == "SECRET_KEY" else "SECRET_KEY"
    monkeypatch.setenv(other, "o" * 48)
    monkeypatch.setenv(name, value)
    config = load_config(tmp_path)
    if value == "":
        # An empty variable counts as unset: a generated secret is used, never the empty one.
        assert len(config[name]) >= MIN_SECRET_LENGTH
        finish_config(config)
        return
    with pytest.raises(ConfigError, match=f"{name} must be at least {MIN_SECRET_LENGTH}"):
        finish_config(config)


def test_a_short_secret_passed_to_create_app_is_refused(database_url, tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY must be at least"):
        create_app(
            {
                "DATABASE_URL": database_url,
                "INSTANCE_PATH": str(tmp_path),
                "SECRET_KEY": "dev",
                "ANON_SECRET": TEST_SECRETS["ANON_SECRET"],
            }
        )


def test_a_long_enough_secret_from_the_environment_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * MIN_SECRET_LENGTH)
    monkeypatch.setenv("ANON_SECRET", "a" * MIN_SECRET_LENGTH)
    config = load_config(tmp_path)
    finish_config(config)
    assert config["SECRET_KEY"] == "s" * MIN_SECRET_LENGTH
    assert not (tmp_path / "secret_key").exists()
