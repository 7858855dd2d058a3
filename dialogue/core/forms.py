"""The base of the app's forms: WTForms' own messages in the page's language.

WTForms ships no Danish catalogue, so a message it writes itself ("This field is required.",
"Not a valid choice.") would reach a Danish page in English. Forms built on :class:`Form` look
those messages up in the app's catalogue instead, where :data:`MESSAGES` has them translated.
"""

from __future__ import annotations

from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import AnyOf, DataRequired, Length


class _AppCatalogue:
    """WTForms' translations interface over the app's catalogue.

    Raw lookups: WTForms fills in the placeholders (``%(max)d``) itself.
    """

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


_CATALOGUE = _AppCatalogue()


class Form(FlaskForm):
    """A form whose built-in messages are translated like the rest of the app."""

    class Meta:
        """Merged by WTForms with Flask-WTF's own (CSRF and the rest stay as they are)."""

        def get_translations(self, form):
            """The app's catalogue, in the request's language."""
            return _CATALOGUE


#: WTForms' messages that the app's fields and validators can show, marked for
#: ``dialogue translations extract`` (never shown from here: WTForms looks them up by their text).
MESSAGES = (
    _l("This field is required."),
    lazy_ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    lazy_ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    ),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Invalid email address."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
    _l("Not a valid integer value."),
)


def first_error(form) -> str:
    """The first thing wrong with a submitted form, with its field's label."""
    name, errors = next(iter(form.errors.items()))
    field_label = form[name].label.text if name in form else ""
    return f"{field_label}: {errors[0]}" if field_label else str(errors[0])


#: Messages of the validators below, which say their own in the page's language.
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
