"""Forms of the synthesis pages. They check shape only; the operations check the rest."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from dialogue.core.forms import Form
from dialogue.core.models.proposal import CoverageStatus, Perspective, ProposalKind

KIND_LABELS = {
    ProposalKind.VALUE: _l("Value"),
    ProposalKind.STRATEGY: _l("Strategy"),
    ProposalKind.INITIATIVE: _l("Initiative"),
}
PERSPECTIVE_LABELS = {
    Perspective.SOCIETY: _l("Society"),
    Perspective.CITIZENS: _l("Citizens and stakeholders"),
    Perspective.PROCESSES: _l("Internal processes"),
    Perspective.EMPLOYEES: _l("Employees and development"),
}
STATUS_LABELS = {
    "draft": _l("Draft"),
    "consultation": _l("In consultation"),
    "final": _l("Final"),
    "dropped": _l("Set aside"),
}
COVERAGE_LABELS = {
    CoverageStatus.ADDRESSED_ELSEWHERE: _l("Addressed elsewhere"),
    CoverageStatus.LEFT_OUT: _l("Deliberately left out"),
    CoverageStatus.FOLLOW_UP: _l("To be followed up"),
}


def _perspective_choices():
    return [SelectChoice("", _l("No perspective"))] + [
        SelectChoice(p.value, label) for p, label in PERSPECTIVE_LABELS.items()
    ]


class ProposalForm(Form):
    """Draft a proposal, or write its next version."""

    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()]
    )
    perspective = SelectField(
        _l("Strategy-map perspective"), choices=_perspective_choices(), validators=[Optional()]
    )
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(_l("Text"), validators=[Length(max=5000)])
    note = TextAreaField(_l("What changed (optional)"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Save"))


class FinaliseForm(Form):
    """Write the final version, with the visible note on what changed.

    Its fields have ids of their own: the proposal page shows this form beside the new-version
    form, whose fields have the same names, and a label must point at its own field.
    """

    title = StringField(
        _l("Final title"), validators=[DataRequired(), Length(max=200)], id="final-title"
    )
    text = TextAreaField(_l("Final text"), validators=[Length(max=5000)], id="final-text")
    note = TextAreaField(
        _l("What changed in response to the consultation"),
        validators=[Length(max=2000)],
        id="final-note",
    )
    submit = SubmitField(_l("Make final"))


class ReopenForm(Form):
    """Take a final proposal back to draft, with the reason kept beside its versions."""

    note = TextAreaField(
        _l("Why it is reopened"), validators=[DataRequired(), Length(max=2000)], id="reopen-note"
    )
    submit = SubmitField(_l("Reopen"))


class DropForm(Form):
    """Set a proposal aside, with a reason."""

    note = TextAreaField(
        _l("Why it is set aside"), validators=[DataRequired(), Length(max=2000)], id="drop-note"
    )
    submit = SubmitField(_l("Set aside"))


class SourceForm(Form):
    """Link a theme, or one contribution by its id, to a proposal."""

    theme_id = SelectField(_l("Theme"), coerce=str, validate_choice=False)
    contribution_id = StringField(_l("Or one contribution (its id)"), validators=[Length(max=40)])
    note = StringField(
        _l("How it informs the proposal"), validators=[Length(max=500)], id="source-note"
    )
    submit = SubmitField(_l("Add link"))


class RoundForm(Form):
    """Choose a round: to publish into, or to feed the final values to."""

    # A select without an empty first option always has a value, so HTML forbids "required"
    # on it; the server still requires a round.
    round_id = SelectField(
        _l("Round"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired()],
        render_kw={"required": False},
    )
    submit = SubmitField(_l("Go"))


class MarkForm(Form):
    """The consultant's decision on one uncovered theme or text."""

    status = RadioField(
        _l("Decision"),
        choices=[SelectChoice("", _l("Not decided"))]
        + [SelectChoice(s.value, label) for s, label in COVERAGE_LABELS.items()],
        default="",
        validate_choice=True,
    )
    reason = StringField(_l("Reason"), validators=[Length(max=500)])
    submit = SubmitField(_l("Save"))


#: The group form's choice that removes the decisions of every text in a group.
CLEAR = "clear"


class GroupMarkForm(Form):
    """One decision for every text of a coverage group.

    Nothing is chosen in advance: a group's texts may carry decisions of their own, and a default
    would overwrite them all with one click on "Save".
    """

    status = RadioField(
        _l("Decision"),
        choices=[SelectChoice(CLEAR, _l("Clear the decisions"))]
        + [SelectChoice(s.value, label) for s, label in COVERAGE_LABELS.items()],
        validators=[InputRequired()],
        validate_choice=True,
    )
    reason = StringField(_l("Reason"), validators=[Length(max=500)])
    submit = SubmitField(_l("Save"))


def label(value) -> str:
    """The reader's word for a proposal kind, perspective, status or coverage decision."""
    value = getattr(value, "value", value)
    for table in (KIND_LABELS, PERSPECTIVE_LABELS, COVERAGE_LABELS):
        for member, text in table.items():
            if member.value == value:
                return str(text)
    return str(STATUS_LABELS.get(value, value or ""))
