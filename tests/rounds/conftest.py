"""Domain tests of rounds run outside a request, in English, so messages can be read."""

import pytest
from flask_babel import force_locale

# The traceability graph's tests walk the same small world as the synthesis pages' tests.
from tests.dialogue.synthesis.conftest import case  # noqa: F401


@pytest.fixture
def request_context(app, db_session):
    """No request, as in a command or a job: the language is stated, as that code states it."""
    with app.app_context(), force_locale("en"):
        yield
