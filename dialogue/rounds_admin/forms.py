"""The admin's round form: common fields plus each kind's settings, built from its interface.

Forms check shape only and turn text into values (numbers, local times, item lists); the kind
and ``rounds.lifecycle`` decide whether the values make a valid round.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length

from dialogue.core.forms import Form
from dialogue.core.models import QuestionType
from rounds.base import RoundKindBase
from rounds.errors import InvalidSettings
from rounds.items import item_lines, items_of, parse_item_lines
from rounds.lifecycle.schedule import to_local
from rounds.questions.setup import BAND_SETS, MAX_QUESTION_LENGTH, TYPE_LABELS, QuestionSpec

#: The format of ``<input type="datetime-local">``.
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
SETTING_PREFIX = "setting_"


class FormInvalid(Exception):
    """A field could not be read; the message is already on the field."""


class RoundFormBase(Form):
    """Title, prompt and schedule; settings fields are added per kind."""

    title = StringField(
        _l("Title"),
        validators=[InputRequired(_l("Please give the round a title.")), Length(max=200)],
    )
    prompt = TextAreaField(_l("Question to the participants"), validators=[Length(max=2000)])
    opens_at = StringField(_l("Opens"))
    closes_at = StringField(_l("Closes"))
    submit = SubmitField(_l("Save round"))


def build_form(kind: RoundKindBase, earlier_rounds, **kwargs) -> RoundFormBase:
    """The round form for ``kind``; ``earlier_rounds`` are the choices of round settings."""
    fields: dict[str, Any] = {}
    round_choices = [SelectChoice("0", _l("None"))]
    round_choices += [SelectChoice(str(r.id), r.title) for r in earlier_rounds]
    for setting in kind.form_fields:
        name = SETTING_PREFIX + setting.name
        label = setting.label
        if setting.type == "bool":
            fields[name] = BooleanField(label, description=setting.hint or "")
        elif setting.type == "choice":
            fields[name] = SelectField(
                label,
                choices=[SelectChoice(value, label) for value, label in setting.choices],
                validate_choice=False,
                description=setting.hint or "",
            )
        elif setting.type == "round":
            fields[name] = SelectField(
                label, choices=round_choices, validate_choice=False, description=setting.hint or ""
            )
        elif setting.type == "items":
            fields[name] = TextAreaField(label, description=setting.hint or "")
        else:
            fields[name] = StringField(label, description=setting.hint or "")
    form_class = type(f"{type(kind).__name__}RoundForm", (RoundFormBase,), fields)
    return form_class(**kwargs)


def form_data(kind: RoundKindBase, round_, timezone: str) -> dict[str, Any]:
    """The values a form shows for an existing round (times in the dialogue's zone)."""
    return {
        "title": round_.title,
        "prompt": round_.prompt,
        "opens_at": to_local(round_.opens_at, timezone).strftime(LOCAL_FORMAT),
        "closes_at": to_local(round_.closes_at, timezone).strftime(LOCAL_FORMAT),
        **setting_data(kind, kind.settings(round_)),
    }


def setting_data(kind: RoundKindBase, settings) -> dict[str, Any]:
    """The settings fields' values for ``settings``.

    A new round's form starts from the kind's defaults, so that it can be saved as it is.
    """
    data: dict[str, Any] = {}
    for setting in kind.form_fields:
        value = settings.get(setting.name)
        if setting.type == "items":
            value = item_lines(items_of(settings))
        elif setting.type in ("int", "float", "round", "choice"):
            value = str(value)
        data[SETTING_PREFIX + setting.name] = value
    return data


def read_local_time(field, required: bool) -> dt.datetime | None:
    """A naive wall-clock time from a datetime-local field, or FormInvalid."""
    text = (field.data or "").strip()
    if not text:
        if required:
            field.errors.append(_l("Please give a date and time."))
            raise FormInvalid
        return None
    for pattern in (LOCAL_FORMAT, LOCAL_FORMAT + ":%S", "%Y-%m-%d %H:%M"):
        try:
            return dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
    field.errors.append(_l("Please give a date and time like 2026-03-02T08:00."))
    raise FormInvalid


def read_settings(kind: RoundKindBase, form, round_=None) -> dict[str, Any]:
    """Raw settings typed by their fields, or FormInvalid with the message on the field.

    The items of an existing ``round_`` keep their keys where their labels are typed again.
    """
    raw: dict[str, Any] = {}
    existing = items_of(kind.settings(round_)) if round_ is not None else []
    for setting in kind.form_fields:
        field = form[SETTING_PREFIX + setting.name]
        data = field.data
        try:
            if setting.type == "bool":
                raw[setting.name] = bool(data)
            elif setting.type in ("int", "round"):
                raw[setting.name] = int(str(data).strip() or 0)
            elif setting.type == "float":
                raw[setting.name] = float(str(data).strip().replace(",", "."))
            elif setting.type == "items":
                raw[setting.name] = parse_item_lines(data or "", existing)
            else:
                raw[setting.name] = str(data or "")
        except ValueError:
            field.errors.append(_l("Please enter a number."))
            raise FormInvalid from None
        except InvalidSettings as exc:  # an item list that cannot be read
            field.errors.append(exc.message)
            raise FormInvalid from None
    return raw


class MoveForm(Form):
    """Move a round up or down in the order."""

    direction = SelectField(choices=[SelectChoice("up"), SelectChoice("down")])


class RepeatForm(Form):
    """Ask again about the items of a closed rating round that did not reach consensus."""


class RemoveForm(Form):
    """Remove an extra question; the form carries only its CSRF token."""


class TakeItemsForm(Form):
    """Copy the top items of an earlier round into this one."""

    source = SelectField(_l("From the round"), validate_choice=False)
    count = StringField(_l("How many of the top items"), default="5")
    submit = SubmitField(_l("Take the items"))


class QuestionForm(Form):
    """An extra question of a round: its type, texts in both languages, rules and options."""

    type = SelectField(
        _l("Type"),
        choices=[SelectChoice(kind.value, label) for kind, label in TYPE_LABELS.items()],
        validate_choice=False,
    )
    text_da = TextAreaField(_l("Question in Danish"), validators=[Length(max=MAX_QUESTION_LENGTH)])
    text_en = TextAreaField(_l("Question in English"), validators=[Length(max=MAX_QUESTION_LENGTH)])
    required = BooleanField(_l("An answer is required"))
    maximum = StringField(_l("Longest answer (short text) or most options to choose"))
    options = TextAreaField(
        _l("Options"),
        description=_l("One per line, Danish | English, for example “Ja | Yes”."),
    )
    band_set = SelectField(
        _l("Bands (background question)"),
        choices=[SelectChoice("", _l("None"))]
        + [SelectChoice(name, band_set.label) for name, band_set in BAND_SETS.items()],
        validate_choice=False,
        description=_l(
            "A background question offers only these coarse bands and is always optional."
        ),
    )
    submit = SubmitField(_l("Save question"))


def question_data(question) -> dict[str, Any]:
    """The values the question form shows for a stored question."""
    return {
        "type": question.type.value,
        "text_da": question.text_da,
        "text_en": question.text_en,
        "required": question.required,
        "maximum": "" if question.maximum is None else str(question.maximum),
        "options": "\n".join(f"{o.label_da} | {o.label_en}" for o in question.options),
        "band_set": question.band_set or "",
    }


def read_question(form: QuestionForm) -> QuestionSpec:
    """The question as typed, or FormInvalid with the message on the field; the domain checks it."""
    try:
        kind = QuestionType(form.type.data)
    except ValueError:
        form.type.errors.append(_l("Choose one of the types."))
        raise FormInvalid from None
    text = (form.maximum.data or "").strip()
    try:
        maximum = int(text) if text else None
    except ValueError:
        form.maximum.errors.append(_l("Please enter a number."))
        raise FormInvalid from None
    options = []
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        for line in (form.options.data or "").splitlines():
            if line.strip():
                danish, _sep, english = line.partition("|")
                options.append((danish.strip(), english.strip()))
    return QuestionSpec(
        kind,
        form.text_da.data or "",
        form.text_en.data or "",
        required=bool(form.required.data),
        maximum=maximum,
        options=options,
        band_set=form.band_set.data or None,
    )
