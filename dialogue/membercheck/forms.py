"""Forms of member checking. They check shape only; the operations check the rest."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from dialogue.core.forms import Form, at_most, one_of, required
from dialogue.core.models.membercheck import CheckAnswer

ANSWER_LABELS = {
    CheckAnswer.YES: _l("Yes"),
    CheckAnswer.PARTLY: _l("Partly"),
    CheckAnswer.NO: _l("No"),
}
#: Long enough to explain, short enough to stay a comment rather than a second contribution.
COMMENT_LENGTH = 1000


class CheckForm(Form):
    """Is this what you meant? Asked about one of one's own contributions."""

    answer = RadioField(
        _l("Is this what you meant?"),
        choices=[SelectChoice(a.value, label) for a, label in ANSWER_LABELS.items()],
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Choose yes, partly or no.")),
            one_of(a.value for a in CheckAnswer),
        ],
    )
    comment = TextAreaField(
        _l("Comment (optional, anonymous)"), validators=[at_most(COMMENT_LENGTH)]
    )
    submit = SubmitField(_l("Save my answer"))


class DealForm(Form):
    """The consultant's response to a contested answer, optionally moving the contribution."""

    move_to = SelectField(_l("Move the contribution to"), coerce=str, validate_choice=False)
    response = TextAreaField(
        _l("What was done (shown to the participant)"),
        validators=[required(), at_most(COMMENT_LENGTH)],
    )
    submit = SubmitField(_l("Mark as dealt with"))


class RenameForm(Form):
    """Reword a theme that participants did not recognise their input in."""

    label = StringField(_l("New name"), validators=[required(), at_most(200)])
    submit = SubmitField(_l("Rename"))


def answer_label(value) -> str:
    """The reader's word for an answer."""
    return str(ANSWER_LABELS.get(CheckAnswer(getattr(value, "value", value)), value))
