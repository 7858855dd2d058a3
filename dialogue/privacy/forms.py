"""The admin's notice and retention form, and the participant's "erase all my input" form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from dialogue.core.forms import Form
from dialogue.privacy.services.retention import MAX_RETENTION_DAYS

#: Room for a long notice, yet a bound: a request may not store an unbounded text.
NOTICE_LENGTH = 20_000


class PrivacySettingsForm(Form):
    """Who is responsible, how long the data is kept, and the notice's own wording."""

    data_controller = StringField(
        _l("Data controller (the organisation responsible)"), validators=[Length(max=200)]
    )
    retention_days = IntegerField(
        _l("Retention period in days after the last round closes"),
        validators=[InputRequired(), NumberRange(min=1, max=MAX_RETENTION_DAYS)],
    )
    keep_results = BooleanField(_l("Keep the published results and final values, anonymously"))
    notice_da = TextAreaField(_l("Notice in Danish"), validators=[Length(max=NOTICE_LENGTH)])
    notice_en = TextAreaField(_l("Notice in English"), validators=[Length(max=NOTICE_LENGTH)])
    submit = SubmitField(_l("Save"))


class GoOnForm(Form):
    """The button under the notice: going on is a POST, so a prefetched page marks nothing."""

    submit = SubmitField(_l("Continue to the dialogue"))


class EraseForm(Form):
    """Erasing is for good, so the participant ticks a box that says so."""

    confirm = BooleanField(
        _l("Yes, erase everything I have written in this dialogue. This cannot be undone."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Erase all my input"))
