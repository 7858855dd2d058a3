"""Pages every visitor sees: language, health, errors, security headers, accessibility.

Every page's footer links the accessibility statement; an organisation may link its own (R7).
"""

import re

import pytest
from flask import abort

from tests.conftest import csrf_from


def test_front_page_speaks_danish_by_default(client):
    page = client.get("/").get_data(as_text=True)
    assert 'lang="da"' in page
    assert "Anonym dialog" in page


def test_browser_language_is_honoured(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in page
    assert "Anonymous dialogue" in page


def test_visitor_can_switch_language(client):
    token = csrf_from(client.get("/"))
    response = client.post("/language", data={"csrf_token": token, "language": "en", "next": "/"})
    assert response.status_code == 302
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client):
    token = csrf_from(client.get("/"))
    response = client.post(
        "/language", data={"csrf_token": token, "language": "en", "next": "//evil.example/"}
    )
    assert response.headers["Location"] == "/"


def test_healthz_reports_a_working_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(app_factory, tmp_path):
    broken = app_factory(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"


@pytest.mark.parametrize(
    ("language", "text"), [("da", "Siden findes ikke"), ("en", "Page not found")]
)
def test_not_found_page_is_friendly_in_both_languages(client, language, text):
    response = client.get("/no/such/page", headers={"Accept-Language": language})
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client):
    response = client.post("/language", data={"language": "en"})
    assert response.status_code == 400
    assert 'lang="da"' in client.get("/").get_data(as_text=True)


def test_oversized_request_gets_413(client):
    response = client.post("/language", data={"language": "x" * (300 * 1024)})
    assert response.status_code == 413


def test_unexpected_error_shows_a_generic_page_without_details(app_factory, database_url, caplog):
    app = app_factory(database_url)
    app.config["TESTING"] = False  # let the error handler run, as in production

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret detail: Jens Jensen wrote this")

    @app.route("/forbidden")
    def forbidden():
        abort(403)

    client = app.test_client()
    response = client.get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Traceback" not in body
    assert "Jens Jensen" not in body
    assert "Jens Jensen" not in caplog.text
    assert client.get("/forbidden").status_code == 403


def test_every_response_carries_security_headers(client):
    for path in ("/", "/no/such/page", "/healthz"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "object-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


FOOTER_LINK = re.compile(r'<footer class="site-footer">.*?<a href="([^"]+)">([^<]+)</a>', re.S)


def footer_link(client, path="/login"):
    page = client.get(path, headers={"Accept-Language": "da"}).get_data(as_text=True)
    match = FOOTER_LINK.search(page)
    assert match, "no link in the footer"
    return match.groups()


def test_the_footer_links_the_built_in_statement_in_danish(client):
    assert footer_link(client) == ("/accessibility", "Tilgængelighedserklæring")
    assert client.get("/accessibility").status_code == 200


def test_the_footer_links_the_organisations_own_statement_when_configured(
    fresh_database_url, app_factory
):
    own = "https://kommune.example/tilgaengelighed"
    app = app_factory(fresh_database_url, ACCESSIBILITY_STATEMENT_URL=own)
    assert footer_link(app.test_client(), "/no-such-page") == (own, "Tilgængelighedserklæring")
