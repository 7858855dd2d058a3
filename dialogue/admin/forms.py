"""Admin forms. They check shape only; ``dialogue.admin.services`` decides what happens."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField

from dialogue.core.forms import Form


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
    """Remind every participant of one open round; one form per round, told apart by prefix.

    There is no choice of audience: a reminder only to those who have not contributed would
    tell, by its count and by the links it rewrites, who has (TARGETS A8).
    """

    submit = SubmitField(_l("Send reminder"))


class AccountActionForm(Form):
    """One button on the accounts page (disable, enable, end sessions, reset two-factor)."""
