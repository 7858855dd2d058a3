"""Every user-facing string has a Danish translation, and the catalogue matches the code."""

import re
import subprocess
import sys

from babel.messages.pofile import read_po
from jinja2 import Environment

from dialogue import PROJECT_ROOT

CATALOGUE = PROJECT_ROOT / "dialogue" / "translations" / "da" / "LC_MESSAGES" / "messages.po"


def read_catalogue(path):
    with open(path, "rb") as handle:
        return read_po(handle)


def test_every_danish_message_is_translated_and_not_fuzzy():
    catalogue = read_catalogue(CATALOGUE)
    untranslated = [
        m.id
        for m in catalogue
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_catalogue_holds_every_string_in_the_code(tmp_path):
    extracted = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(PROJECT_ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_ngettext:1,2",
            "-o",
            str(extracted),
            *(str(PROJECT_ROOT / folder) for folder in ("dialogue", "rounds", "templates")),
        ],
        check=True,
        capture_output=True,
    )
    in_code = {m.id for m in read_catalogue(extracted) if m.id}
    translated = {m.id for m in read_catalogue(CATALOGUE) if m.id}
    assert in_code - translated == set(), "run `dialogue translations extract` and translate"


# --- templates: no user-visible English outside the translation calls ---------------------------

#: Words that are meant to stay as they are: each language's own name in the language switch.
UNTRANSLATED_ALLOWED = {"English", "Dansk"}
_TAG = re.compile(r"<[^>]*>", re.S)
#: Attributes whose literal text a user sees or hears (screen readers read labels and titles).
_VISIBLE_ATTRIBUTE = re.compile(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"')
_WORD = re.compile(r"[^\W\d_]{2,}")
_jinja = Environment(extensions=["jinja2.ext.i18n"])


def visible_text(source: str) -> list[str]:
    """The template's literal text a user would see: outside tags, expressions and {% trans %}.

    Expressions and statements become a separator, so that text on either side of one is
    checked as its own piece; comments are dropped by the lexer.
    """
    parts, in_trans, after_block_begin = [], 0, False
    for _line, kind, value in _jinja.lex(source):
        if kind == "whitespace":
            continue
        if kind == "name" and after_block_begin:
            in_trans += {"trans": 1, "pluralize": 0, "endtrans": -1}.get(value, 0)
        after_block_begin = kind == "block_begin"
        if kind == "data" and not in_trans:
            parts.append(value)
        elif kind in ("variable_begin", "block_begin"):
            parts.append("\x00")
    text = "".join(parts)
    return [*_TAG.sub(" ", text).split("\x00"), *_VISIBLE_ATTRIBUTE.findall(text)]


def untranslated_text(source: str) -> list[str]:
    """Pieces of literal text with words in them, apart from the allowed ones."""
    found = []
    for piece in visible_text(source):
        words = set(_WORD.findall(piece)) - UNTRANSLATED_ALLOWED
        if words:
            found.append(piece.strip())
    return found


def test_the_template_check_finds_literal_text():
    assert untranslated_text("<p>Hello {{ name }}</p>") == ["Hello"]
    assert untranslated_text('<a aria-label="Close">{{ _("x") }}</a>') == ["Close"]
    assert untranslated_text("<p>{{ _('Hello') }} · {{ n }}</p>") == []
    assert untranslated_text("{% trans %}Hello {{ name }}{% endtrans %}") == []
    assert untranslated_text("{# a comment #}<h{{ level }}>{{ title }}</h{{ level }}>") == []


def test_no_template_shows_text_outside_the_translation_calls():
    templates = [
        path
        for path in sorted((PROJECT_ROOT / "templates").rglob("*"))
        if path.suffix in (".html", ".txt")
    ]
    assert any(path.suffix == ".txt" for path in templates)  # the mail templates are checked
    found = {
        str(path.relative_to(PROJECT_ROOT)): text
        for path in templates
        if (text := untranslated_text(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "wrap these texts in _() or {% trans %}"


# --- lazy strings, mails and locale formats -----------------------------------------------------


def test_lazy_strings_are_extracted_and_resolve_in_the_reader_language(app):
    """Module-level ``_l`` labels are translated when shown, not when the module is imported."""
    from flask_babel import force_locale

    from dialogue.core.i18n import ROLE_LABELS, STATE_LABELS
    from rounds.results.records import VERDICT_LABELS

    catalogue = {m.id: m.string for m in read_catalogue(CATALOGUE) if m.id}
    labels = [*ROLE_LABELS.values(), *STATE_LABELS.values(), *VERDICT_LABELS.values()]
    for label in labels:
        assert catalogue.get(label._args[0]), label._args[0]
    with app.test_request_context():
        with force_locale("da"):
            danish = [str(label) for label in labels]
        with force_locale("en"):
            english = [str(label) for label in labels]
    assert danish != english
    assert english == [label._args[0] for label in labels]


def test_mail_templates_are_extracted():
    extracted = {
        m.id
        for m in read_catalogue(CATALOGUE)
        if m.id and any(path.endswith(".txt") for path, _line in m.locations)
    }
    mails = list((PROJECT_ROOT / "templates" / "mail").glob("*.txt"))
    uses_gettext = [p for p in mails if "_(" in p.read_text() or "trans" in p.read_text()]
    assert uses_gettext, "mail templates must go through Flask-Babel"
    # babel.cfg must extract .txt templates, or their strings would never reach the catalogue.
    assert "[jinja2: **.txt]" in (PROJECT_ROOT / "babel.cfg").read_text()
    assert extracted or uses_gettext


def test_numbers_dates_and_plurals_follow_the_locale(app):
    import datetime as dt

    from flask import render_template_string
    from flask_babel import force_locale

    from dialogue.core.i18n import local_datetime
    from dialogue.results.views import fmt_number, fmt_percent

    moment = dt.datetime(2026, 3, 2, 7, 30, tzinfo=dt.UTC)
    plural = "{{ ngettext('%(num)d person answered.', '%(num)d people answered.', n) }}"
    with app.test_request_context():
        with force_locale("da"):
            assert fmt_number(1234.5) == "1.234,5"
            assert fmt_percent(0.5) == "50 %"
            assert "marts" in local_datetime(moment, "Europe/Copenhagen", "long")
            assert "08.30" in local_datetime(moment, "Europe/Copenhagen", "short")
            one = render_template_string(plural, n=1)
            many = render_template_string(plural, n=2)
            assert one != many
        with force_locale("en"):
            assert fmt_number(1234.5) == "1,234.5"
            assert "March" in local_datetime(moment, "Europe/Copenhagen", "long")
            assert render_template_string(plural, n=1) == "1 person answered."
            assert render_template_string(plural, n=2) == "2 people answered."


def test_wtforms_own_messages_follow_the_page_language(app):
    """WTForms ships no Danish catalogue: its built-in messages come from the app's."""
    from flask_babel import force_locale
    from werkzeug.datastructures import MultiDict

    from dialogue.auth.forms import LoginForm

    data = MultiDict({"email": "", "password": "x" * 300})
    with app.test_request_context(method="POST"):
        with force_locale("da"):
            form = LoginForm(formdata=data, meta={"csrf": False})
            form.validate()
            danish = [*form.email.errors, *form.password.errors]
        with force_locale("en"):
            form = LoginForm(formdata=data, meta={"csrf": False})
            form.validate()
            english = [*form.email.errors, *form.password.errors]
    assert "Feltet skal udfyldes." in danish
    assert "This field is required." in english
    assert any("tegn" in message for message in danish)  # Length's plural, numbers filled in


def test_every_form_of_the_app_translates_wtforms_messages(app):
    from flask_wtf import FlaskForm

    from dialogue.core.forms import Form

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    outside = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in subclasses(FlaskForm)
        if cls.__module__.split(".")[0] in ("dialogue", "rounds") and not issubclass(cls, Form)
    ]
    assert outside == [], "derive the app's forms from dialogue.core.forms.Form"
