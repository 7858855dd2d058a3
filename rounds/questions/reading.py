"""Reading a round's extra questions, and picking out their text answers for theming.

A text answer is a contribution about the question (``target`` ``question:<id>``), held back from
staff until enough have written (``rounds.release``) and themed like any other text.
"""

from __future__ import annotations

from sqlalchemy import and_, bindparam, select
from sqlalchemy.sql.elements import ColumnElement

from dialogue.core.db import Session
from dialogue.core.i18n import page_language
from dialogue.core.models import (
    Contribution,
    Dialogue,
    ModerationState,
    QuestionType,
    Round,
    RoundQuestion,
)
from dialogue.core.models.question import QUESTION_TARGET_PREFIX

#: Built once: every round page reads it, and building it cost more than running it.
_QUESTIONS_OF = (
    select(RoundQuestion)
    .where(RoundQuestion.round_id == bindparam("round_id"))
    .order_by(RoundQuestion.position, RoundQuestion.id)
)


def questions_of(round_: Round) -> list[RoundQuestion]:
    """The round's extra questions in their order."""
    return list(Session.scalars(_QUESTIONS_OF, {"round_id": round_.id}))


def question_of(dialogue: Dialogue, question_id: int) -> RoundQuestion | None:
    """One question of a round of ``dialogue``; another dialogue's is as good as missing."""
    question = Session.get(RoundQuestion, question_id)
    if question is None or question.round.dialogue_id != dialogue.id:
        return None
    return question


def text_answers(round_: Round, question: RoundQuestion | None = None) -> ColumnElement[bool]:
    """A condition on ``Contribution`` that picks the text answers of one or all questions."""
    if question is not None:
        return (Contribution.round_id == round_.id) & (Contribution.target == question.target)
    return (Contribution.round_id == round_.id) & Contribution.target.like(
        f"{QUESTION_TARGET_PREFIX}%"
    )


def text_parts(round_: Round) -> list[tuple[str, str]]:
    """One theme part per text question, labelled with the question in the page's language.

    Its answers are themed apart from the kind's own texts, as they answer another question.
    """
    language = page_language()
    return [
        (question.target, question.text(language))
        for question in questions_of(round_)
        if question.type is QuestionType.TEXT
    ]


def describe_text_answer(contribution: Contribution) -> list[str] | None:
    """A text answer in words (the question, then the answer) for its author; None for others."""
    number = (contribution.target or "").removeprefix(QUESTION_TARGET_PREFIX)
    if number == (contribution.target or "") or not number.isdigit():
        return None
    question = Session.get(RoundQuestion, int(number))
    heading = question.text(page_language()) if question is not None else ""
    return [heading, contribution.body or ""]


def is_question_part(part: str) -> bool:
    """Whether a theme part is the answers to a text question."""
    return part.startswith(QUESTION_TARGET_PREFIX)


def text_condition(round_: Round, part: str | None = None) -> ColumnElement[bool]:
    """The visible, non-empty text answers the theme analysis reads: of one question, or all."""
    target = (
        Contribution.target == part
        if part
        else Contribution.target.like(f"{QUESTION_TARGET_PREFIX}%")
    )
    return and_(
        Contribution.round_id == round_.id,
        target,
        Contribution.moderation == ModerationState.VISIBLE,
        Contribution.body.is_not(None),
        Contribution.body != "",
    )
