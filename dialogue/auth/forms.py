"""Login forms. They check shape only; the services decide who may log in."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from dialogue.core.forms import Form


class LoginForm(Form):
    """Staff log in with their e-mail address and password."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Log in"))


class ConfirmLinkForm(Form):
    """The button behind a login link, so that mail scanners opening the link log nobody in."""

    submit = SubmitField(_l("Continue to the dialogue"))


class LogoutForm(Form):
    """Logging out changes state, so it is a POST with a CSRF token."""

    submit = SubmitField(_l("Log out"))


class RequestLinkForm(Form):
    """A participant whose link expired or got lost asks for a new one by e-mail address."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField(_l("Send me a new link"))


class CodeForm(Form):
    """The six-digit code from the authenticator app: the second factor of a staff login."""

    code = StringField(
        _l("Code from your authenticator app"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )
    submit = SubmitField(_l("Confirm"))


class JoinForm(Form):
    """Anyone asks to join an open dialogue; the mailed link proves the address is theirs."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField(_l("Send me a link to join"))


class ConfirmJoinForm(Form):
    """The button behind the mailed link to join, so that mail scanners opening it join nobody."""

    submit = SubmitField(_l("Join the dialogue"))
