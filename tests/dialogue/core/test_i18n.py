"""The locale selector outside a request: a command, a job in a thread or an RQ worker."""

from flask import g
from flask_babel import lazy_gettext as _l
from flask_babel import refresh


def test_outside_a_request_lazy_text_speaks_the_default_language(app):
    with app.app_context():
        assert str(_l("Consensus")) == "Konsensus"  # DIALOGUE_DEFAULT_LANGUAGE is da


def test_outside_a_request_lazy_text_speaks_the_dialogues_language(app):
    with app.app_context():
        g.dialogue_language = "en"
        refresh()
        assert str(_l("Consensus")) == "Consensus"
