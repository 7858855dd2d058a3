"""Admin forms. They check shape only; ``dialogue.admin.services`` decides what happens."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from dialogue.admin.services import ReminderAudience
from dialogue.forms import Form


class ImportForm(Form):
    """Upload a participant list; the file's content, not its name, decides how it is read."""

    file = FileField(
        _l("Participant list (CSV or Excel .xlsx)"),
        validators=[FileRequired(_l("Choose a file to import."))],
    )
    submit = SubmitField(_l("Import participants"))


class InvitationForm(Form):
    """Send every participant an invitation with a fresh personal link."""

    submit = SubmitField(_l("Send invitations"))


class ReminderForm(Form):
    """Remind the participants of one open round; one form per round, told apart by prefix."""

    audience = RadioField(
        _l("Send the reminder to"),
        choices=[
            SelectChoice(
                ReminderAudience.NOT_CONTRIBUTED.value, _l("those who have not contributed yet")
            ),
            SelectChoice(ReminderAudience.EVERYONE.value, _l("everyone invited")),
        ],
        default=ReminderAudience.NOT_CONTRIBUTED.value,
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Send reminder"))


class AccountActionForm(Form):
    """One button on the accounts page (disable, enable, end sessions, reset two-factor)."""
