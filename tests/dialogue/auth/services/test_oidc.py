"""Provider sign-in is off without its settings, and whole or refused with them (issue #22).

The flows themselves run against a real provider in tests/browser/test_oidc.py.
"""

from __future__ import annotations

import pytest

from dialogue.auth.services import oidc
from dialogue.core.config import ConfigError

PROVIDER = {
    "OIDC_ISSUER": "http://127.0.0.1:9/issuer",
    "OIDC_CLIENT_ID": "dialogue",
    "OIDC_CLIENT_SECRET": "a-client-secret",
    "OIDC_MFA_ACR_VALUES": ["urn:loa:high"],
}


def test_without_settings_there_is_no_provider_sign_in(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert b"/login/oidc" not in page.data
    for path in ("/login/oidc", "/login/oidc/callback", "/login/oidc/dialogue/vaerdier"):
        assert client.get(path).status_code == 404


@pytest.mark.parametrize("missing", ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"])
def test_half_the_settings_are_refused(app, app_factory, database_url, missing):
    settings = {**PROVIDER, missing: ""}
    with pytest.raises(ConfigError, match="go together"):
        app_factory(database_url, **settings)


def test_with_settings_the_login_page_offers_the_provider(app, app_factory, database_url):
    configured = app_factory(database_url, **PROVIDER)
    page = configured.test_client().get("/login")
    assert page.status_code == 200
    assert b'href="/login/oidc"' in page.data


@pytest.mark.parametrize(
    ("claims", "checked"),
    [
        ({"amr": ["pwd", "mfa"]}, True),
        ({"amr": ["pwd"]}, False),
        ({"amr": ["pwd"], "acr": "urn:loa:high"}, True),
        ({"acr": "urn:loa:low"}, False),
        ({}, False),
    ],
)
def test_the_providers_second_factor_counts_only_when_it_says_so(
    app, app_factory, database_url, claims, checked
):
    configured = app_factory(database_url, **PROVIDER)
    with configured.app_context():
        assert oidc.checked_second_factor(claims) is checked
