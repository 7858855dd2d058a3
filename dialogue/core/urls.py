"""Absolute links for e-mails and the terminal, where there is no request to build them from."""

from flask import current_app, url_for


def external_url(endpoint: str, **values) -> str:
    """The full URL of ``endpoint`` under ``PUBLIC_URL``, inside or outside a request."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)
