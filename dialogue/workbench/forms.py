"""Forms of the consultant's workbench. They check shape only; the operations check the rest."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from dialogue.core.forms import Form
from dialogue.core.models.analysis import HideReason


class RunForm(Form):
    """Start an analysis run; empty "number of themes" lets the analysis choose."""

    n_themes = IntegerField(
        _l("Number of themes"), validators=[Optional(), NumberRange(min=1, max=30)]
    )
    seed = IntegerField(
        _l("Variant number"), default=0, validators=[Optional(), NumberRange(min=0, max=2**31 - 1)]
    )
    method = RadioField(
        _l("Method"),
        choices=[
            SelectChoice(
                "tfidf", _l("By shared words: fast, groups texts that use the same words")
            ),
            SelectChoice(
                "semantic",
                _l("By meaning: groups texts that say the same in other words"),
            ),
        ],
        default="tfidf",  # also when a client posts no method at all
    )
    submit = SubmitField(_l("Run the analysis"))


class ThemeForm(Form):
    """Name and describe a theme (also used to create one by hand)."""

    label = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Save"))


class MergeForm(Form):
    """Merge the ticked themes into one."""

    sources = SelectMultipleField(_l("Themes to merge"), coerce=int, validate_choice=False)
    target = SelectField(
        _l("Merge into"), coerce=int, validate_choice=False, validators=[InputRequired()]
    )
    submit = SubmitField(_l("Merge"))


class SplitForm(Form):
    """Split a theme into this many parts by re-clustering its contributions."""

    parts = IntegerField(
        _l("Number of parts"), default=2, validators=[InputRequired(), NumberRange(min=2, max=6)]
    )
    submit = SubmitField(_l("Split"))


class MoveForm(Form):
    """Move the ticked contributions to a theme, or to the unassigned group ("none")."""

    contributions = SelectMultipleField(_l("Contributions"), validate_choice=False)
    target = SelectField(_l("Move to"), validate_choice=False, validators=[InputRequired()])
    next = HiddenField()
    submit = SubmitField(_l("Move"))


class HideForm(Form):
    """Hide one contribution from analysis and quotes, with a reason."""

    reason = RadioField(
        _l("Reason"),
        choices=[
            SelectChoice(HideReason.OFF_TOPIC.value, _l("Off-topic")),
            SelectChoice(HideReason.IDENTIFYING.value, _l("Identifies a person")),
        ],
        validators=[InputRequired()],
    )
    note = StringField(_l("Note (optional)"), validators=[Length(max=500)])
    next = HiddenField()
    submit = SubmitField(_l("Hide"))


class ConfirmForm(Form):
    """A button that only needs the CSRF token: accept a theme, undo the last edit."""

    submit = SubmitField(_l("Confirm"))
