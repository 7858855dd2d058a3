"""Domain tests of rounds run outside a request, in English, so messages can be read."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, ContributionEmbedding

# The traceability graph's tests walk the same small world as the synthesis pages' tests.
from tests.dialogue.synthesis.conftest import case  # noqa: F401
from tests.factories import make_contribution, make_dialogue, make_member, make_round


@pytest.fixture
def request_context(app, db_session):
    """No request, as in a command or a job: the language is stated, as that code states it."""
    with app.app_context(), force_locale("en"):
        yield


SHORT = ["Vi har for travlt.", "Computerne går ned.", "Ledelsen lytter ikke."]


def stored(round_):
    """The stored vectors of the round's texts, by contribution id, read afresh."""
    return {
        row.contribution_id: row
        for row in Session.scalars(
            select(ContributionEmbedding)
            .join(Contribution)
            .where(Contribution.round_id == round_.id)
            .execution_options(populate_existing=True)
        )
    }


@pytest.fixture
def small_round(db_session):
    """A round with three short texts and an empty one, and its contributions."""
    dialogue = make_dialogue()
    round_ = make_round(dialogue)
    member = make_member(dialogue)
    contributions = [make_contribution(round_, member, text) for text in SHORT]
    make_contribution(round_, member, "")
    return round_, contributions
