"""Admin forms. They check shape only; the services decide what happens."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp

from dialogue.core.forms import Form, at_most
from dialogue.core.models import SendKind


class ImportForm(Form):
    """Upload a participant list; the file's content, not its name, decides how it is read."""

    file = FileField(
        _l("Participant list (CSV or Excel .xlsx)"),
        validators=[FileRequired(_l("Choose a file to import."))],
    )
    submit = SubmitField(_l("Import participants"))


def _replace_links_field():
    return BooleanField(
        _l("Links sent earlier stop working (for example if a mail reached the wrong person)")
    )


class InvitationForm(Form):
    """Send every participant an invitation with a fresh personal link, once confirmed."""

    replace_links = _replace_links_field()
    submit = SubmitField(_l("Send invitations"))


class ReminderForm(Form):
    """Remind every participant of one open round; one form per round, told apart by prefix.

    There is no choice of audience: a reminder only to those who have not contributed would
    tell, by its count and by the links it rewrites, who has (TARGETS A8).
    """

    replace_links = _replace_links_field()
    submit = SubmitField(_l("Send reminder"))


#: How the send log names each kind of send.
SEND_KIND_LABELS = {
    SendKind.INVITATION: _l("Invitation"),
    SendKind.REMINDER: _l("Reminder"),
}

#: The units a reminder time is given in, in hours.
UNIT_HOURS = {"days": 24, "hours": 1}


class ScheduleForm(Form):
    """A reminder time for one round: so many days or hours before it closes."""

    amount = IntegerField(
        _l("Send a reminder this long before the round closes"),
        validators=[
            InputRequired(_l("Enter a number.")),
            NumberRange(min=1, max=60, message=_l("Enter a whole number from 1 to 60.")),
        ],
    )
    unit = SelectField(
        _l("Unit"), choices=[SelectChoice("days", _l("days")), SelectChoice("hours", _l("hours"))]
    )
    submit = SubmitField(_l("Add reminder time"))

    @property
    def hours(self) -> int:
        """The time before the close, in hours."""
        return self.amount.data * UNIT_HOURS[self.unit.data]


class RemoveScheduleForm(Form):
    """Remove one reminder time."""

    submit = SubmitField(_l("Remove"))


class SignInSettingsForm(Form):
    """How participants get in: the provider's claim, and whether anyone may join."""

    oidc_claim = StringField(
        _l("Claim with the participant's e-mail address"),
        validators=[
            Optional(),
            at_most(64),
            Regexp(
                r"^[A-Za-z0-9_:./-]+$",
                message=_l("A claim name has only letters, digits and the signs _ : . / -"),
            ),
        ],
    )
    open_join = BooleanField(_l("Open: anyone with the join link may become a participant"))
    open_rule = StringField(_l("Only those who match"), validators=[at_most(500)])
    submit = SubmitField(_l("Save"))
