"""Forms of the follow-up pages. They check shape only; the operations check the rest."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length

from dialogue.core.forms import Form
from dialogue.core.models.followup import FollowUpOrigin, FollowUpStatus, ReviewPeriod

STATUS_LABELS = {
    FollowUpStatus.PLANNED: _l("Planned"),
    FollowUpStatus.IN_PROGRESS: _l("In progress"),
    FollowUpStatus.DONE: _l("Done"),
    FollowUpStatus.DROPPED: _l("Dropped"),
}
ORIGIN_LABELS = {
    FollowUpOrigin.MANAGEMENT: _l("From management"),
    FollowUpOrigin.COMMITMENT: _l("From a commitment in the action round"),
    FollowUpOrigin.CRITICAL_FACTOR: _l("Critical factor from the coverage view"),
}
PERIOD_LABELS = {
    ReviewPeriod.MONTH: _l("Monthly"),
    ReviewPeriod.QUARTER: _l("Quarterly"),
    ReviewPeriod.HALF_YEAR: _l("Every half year"),
}
TITLE_LENGTH, UNIT_LENGTH, NOTE_LENGTH = 200, 120, 2000
#: WTForms' own messages have no Danish catalogue, so every validator here says its own.
REQUIRED = _l("Please fill this in.")
TOO_LONG = _l("Please write at most %(max)d characters.")
UNKNOWN_CHOICE = _l("Please choose one of the options.")


def required():
    """A required field, with a translated message."""
    return DataRequired(message=REQUIRED)


def at_most(length: int):
    """At most ``length`` characters, with a translated message."""
    return Length(max=length, message=TOO_LONG)


def one_of(values):
    """A choice the form offers; anything else is refused with a translated message."""
    return AnyOf([str(v) for v in values], message=UNKNOWN_CHOICE)


def _status_choices():
    return [SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()]


STATUS_FIELD = {
    "choices": _status_choices(),
    "validate_choice": False,
    "validators": [one_of(s.value for s in FollowUpStatus)],
}


class ItemForm(Form):
    """What every tracked item has: a title, the unit that owns it, and its status."""

    title = StringField(_l("Title"), validators=[required(), at_most(TITLE_LENGTH)])
    owner_unit = StringField(
        _l("Owner unit (a department or unit, not a person)"),
        validators=[required(), at_most(UNIT_LENGTH)],
    )
    status = SelectField(_l("Status"), **STATUS_FIELD)
    submit = SubmitField(_l("Add"))


class InitiativeForm(ItemForm):
    """A new initiative under a final value."""

    proposal_id = SelectField(_l("Final value"), coerce=str, validate_choice=False)
    description = TextAreaField(_l("Description (optional)"), validators=[at_most(NOTE_LENGTH)])


class NoteForm(Form):
    """A dated progress note, with the status after it."""

    status = SelectField(_l("Status"), **STATUS_FIELD)
    text = TextAreaField(_l("Progress note"), validators=[at_most(NOTE_LENGTH)])
    submit = SubmitField(_l("Save the note"))


class ReviewForm(Form):
    """Record the review shown, so that the next one starts from today."""

    period = SelectField(
        _l("Review period"),
        choices=[SelectChoice(p.value, label) for p, label in PERIOD_LABELS.items()],
        validate_choice=False,
        validators=[one_of(p.value for p in ReviewPeriod)],
    )
    submit = SubmitField(_l("Record this review"))


def label(value) -> str:
    """The reader's word for a status, an origin or a review period."""
    value = getattr(value, "value", value)
    for table in (STATUS_LABELS, ORIGIN_LABELS, PERIOD_LABELS):
        for member, text in table.items():
            if member.value == value:
                return str(text)
    return str(value or "")
