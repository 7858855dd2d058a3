"""Forms shared across pages."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.validators import DataRequired

from dialogue.core.forms import Form


class LanguageForm(Form):
    """Switch between Danish and English; a POST, since it changes the session."""

    language = SelectField(_l("Language"), choices=["da", "en"], validators=[DataRequired()])
    next = HiddenField()
    submit = SubmitField(_l("Change language"))
