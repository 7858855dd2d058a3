"""Domain tests of rounds run in a request context, in English, so messages can be read."""

import pytest


@pytest.fixture
def request_context(app, db_session):
    """A request context: lazy translations resolve, and to English."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield
