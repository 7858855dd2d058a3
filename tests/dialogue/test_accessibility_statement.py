"""Every page's footer links the accessibility statement; an organisation may link its own (R7)."""

import re

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
