"""Production error pages leak nothing (TARGETS S12).

Complements
``web/test_views.py::test_unexpected_error_shows_a_generic_page_without_details`` (which
flips TESTING on an app built for tests): here the app is *built* with production settings
(TESTING and DEBUG off, exceptions not propagated) and routes fail in the ways that would leak
the most: an exception quoting SQL and data, a real database error, an error inside a template.
The pages must show no traceback, no SQL, no file path and nothing of the failing data.
"""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from dialogue import PROJECT_ROOT, create_app
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
