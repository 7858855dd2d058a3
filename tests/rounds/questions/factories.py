"""Question specs and helpers that the tests of ``rounds.questions`` share."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import QuestionAnswer, QuestionType, RoundQuestion
from rounds.questions import setup
from rounds.questions.answering import answer_questions, field_name
from rounds.questions.setup import QuestionSpec
from tests.rounds.factories import author_of

SINGLE = QuestionSpec(
    QuestionType.SINGLE, "Bruger du intranettet?", "Do you use the intranet?",
    required=True, options=[("Ja", "Yes"), ("Nej", "No"), ("Ved ikke", "Don't know")],
)  # fmt: skip
MULTIPLE = QuestionSpec(
    QuestionType.MULTIPLE, "Hvilke kanaler?", "Which channels?", maximum=2,
    options=[("Mail", "Mail"), ("Møder", "Meetings"), ("Intranet", "Intranet")],
)  # fmt: skip
SCALE = QuestionSpec(QuestionType.SCALE, "Hvor tilfreds?", "How satisfied?")
TEXT = QuestionSpec(QuestionType.TEXT, "Hvorfor?", "Why?", maximum=40)
AGE = QuestionSpec(QuestionType.BACKGROUND, "", "", band_set="age")
SENIORITY = QuestionSpec(QuestionType.BACKGROUND, "", "", band_set="seniority")


def add(round_, *specs):
    return [setup.add_question(round_, spec, actor_id=None) for spec in specs]


def close(round_):
    now = utcnow()
    round_.opens_at, round_.closes_at = now - dt.timedelta(days=8), now - dt.timedelta(days=1)
    Session.flush()


def give(round_, member, values, now=None):
    """Answer with ``values`` keyed by question: an option label (English), a list, a value."""
    raw = {}
    for question, value in values.items():
        by_label = {o.label_en: str(o.id) for o in question.options}
        if isinstance(value, list):
            raw[field_name(question)] = [by_label[v] for v in value]
        elif question.options:
            raw[field_name(question)] = by_label[value]
        else:
            raw[field_name(question)] = str(value)
    return answer_questions(round_, author_of(member), raw, now=now or utcnow())


def stored_answers(round_):
    return Session.scalar(
        select(func.count())
        .select_from(QuestionAnswer)
        .join(RoundQuestion)
        .where(RoundQuestion.round_id == round_.id)
    )
