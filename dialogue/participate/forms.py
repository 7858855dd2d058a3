"""The participant's form for a round's extra questions, built from the questions of the round.

The form only reads what was sent; ``rounds.questions.answering.answer_questions`` decides what
is valid, so the same rules hold for every caller.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectMultipleField, SubmitField, TextAreaField

from dialogue.core.forms import Form
from dialogue.core.models import QuestionType, RoundQuestion
from rounds.questions.answering import field_name
from rounds.questions.setup import SCALE


class QuestionsForm(Form):
    """The fields of the round's questions are added per round."""

    submit = SubmitField(_l("Save my answers to these questions"))


def questions_form(questions: list[RoundQuestion], language: str, **kwargs) -> QuestionsForm:
    """A form with one field per question, labelled in ``language``."""
    fields: dict[str, Any] = {}
    for question in questions:
        label = question.text(language)
        options = [SelectChoice(str(o.id), o.label(language)) for o in question.options]
        if question.type is QuestionType.TEXT:
            fields[field_name(question)] = TextAreaField(label)
        elif question.type is QuestionType.MULTIPLE:
            fields[field_name(question)] = SelectMultipleField(
                label, choices=options, validate_choice=False
            )
        elif question.type is QuestionType.SCALE:
            fields[field_name(question)] = RadioField(
                label, choices=[SelectChoice(str(n), str(n)) for n in SCALE], validate_choice=False
            )
        else:
            fields[field_name(question)] = RadioField(label, choices=options, validate_choice=False)
    form_class = type("RoundQuestionsForm", (QuestionsForm,), fields)
    return form_class(**kwargs)


def submitted(form: QuestionsForm, questions: list[RoundQuestion]) -> dict[str, object]:
    """Field name → what was sent for it."""
    return {field_name(q): form[field_name(q)].data for q in questions}
