"""Round kind *challenges*: several short open texts per participant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import Length

from dialogue.core.forms import Form
from dialogue.core.models import Contribution, ModerationState, Round
from dialogue.core.models.question import kind_input
from rounds import submissions
from rounds.base import RoundKindBase
from rounds.errors import InvalidSettings
from rounds.results.aggregation import participation_results
from rounds.results.records import RoundResults
from rounds.settings import SettingField


class ChallengeForm(Form):
    """One short text. Its length is checked against the round's settings by the kind."""

    body = TextAreaField(
        _l("Your contribution"), validators=[Length(max=submissions.HARD_MAX_LENGTH)]
    )
    nonce = HiddenField()
    submit = SubmitField(_l("Save"))


class Challenges(RoundKindBase):
    """Which challenges do we face? Each participant adds a few short texts."""

    name = "challenges"
    label = _l("Challenges: open texts")
    template = "rounds/challenges.html"
    results_template = "results/_participation.html"
    default_settings = {"max_contributions": 5, "min_length": 3, "max_length": 500}
    form_class = ChallengeForm
    setting_fields = (
        SettingField("max_contributions", _l("Contributions per participant"), "int"),
        SettingField("min_length", _l("Shortest text (characters)"), "int"),
        SettingField("max_length", _l("Longest text (characters)"), "int"),
    )

    def check_settings(self, settings: Mapping[str, Any]) -> None:
        """Limits that leave room to write something."""
        if not 1 <= settings["max_contributions"] <= 50:
            raise InvalidSettings(
                _l("Allow between 1 and 50 contributions."), field="max_contributions"
            )
        if not 1 <= settings["min_length"] <= settings["max_length"] <= submissions.HARD_MAX_LENGTH:
            raise InvalidSettings(
                _l(
                    "The text limits need 1 ≤ shortest ≤ longest ≤ %(count)d.",
                    count=submissions.HARD_MAX_LENGTH,
                ),
                field="max_length",
            )

    def _text(self, round_: Round, body: str) -> str:
        settings = self.settings(round_)
        return submissions.require_text(
            body, min_length=settings["min_length"], max_length=settings["max_length"]
        )

    def submit(self, round_: Round, author: str, form: ChallengeForm, now: dt.datetime):
        """Add one text, within the round's limit on how many each participant may write.

        One guarded INSERT on the way that matters (the text is new and allowed); only a
        refused one reads why. The id of the stored (or, for a retried form, the first) row.
        """
        submissions.ensure_open(round_, now)
        text, nonce = self._text(round_, form.body.data), form.nonce.data
        limit = self.settings(round_)["max_contributions"]
        stored = submissions.insert_text(
            round_, author, body=text, nonce=nonce, now=now, limit=limit
        )
        if stored is not None:
            return stored
        return submissions.explain_refusal(round_, author, nonce=nonce, now=now, limit=limit)

    def edit(self, contribution: Contribution, form: ChallengeForm, now: dt.datetime):
        """Replace the text of one of the author's contributions."""
        submissions.ensure_open(contribution.round, now)
        text = self._text(contribution.round, form.body.data)
        return submissions.edit_contribution(contribution, now=now, body=text)

    def kind_theme_parts(self, round_: Round) -> list[tuple[str, Any]]:
        """Every text answers the round's one question: one part."""
        return [("", _l("All texts"))]

    def kind_analysis_condition(self, round_: Round, part: str | None = None):
        """The round's visible texts (all in the one part)."""
        return and_(
            Contribution.round_id == round_.id,
            Contribution.moderation == ModerationState.VISIBLE,
            Contribution.body.is_not(None),
            kind_input(),
        )

    def results(self, round_: Round, segments) -> RoundResults:
        """How many took part; what they wrote is summarised by the theme analysis."""
        return participation_results(round_, segments)
