"""Whether a round has been answered: once it has, its method, items and questions are locked."""

from __future__ import annotations

from sqlalchemy import func, select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, Round
from dialogue.core.models.question import QuestionAnswer, RoundQuestion


def has_input(round_: Round) -> bool:
    """Whether any participant has answered the round (hidden contributions count too).

    Answers to the round's extra questions are input as well.

    Counting a million contributions to learn "some" took most of a second on the admin's round
    list. PostgreSQL plans ``EXISTS`` here as a table scan (it expects an early match, but a
    round's rows may lie far into the table); the smallest author along the (round, author)
    index is one index lookup everywhere. Authors are never null; the value is only tested.
    """
    first = Session.scalar(
        select(func.min(Contribution.author)).where(Contribution.round_id == round_.id)
    )
    return first is not None or _has_answers(round_)


def _has_answers(round_: Round) -> bool:
    """Whether anyone chose an option or scale value of the round's extra questions."""
    first = Session.scalar(
        select(func.min(QuestionAnswer.author))
        .join(RoundQuestion, RoundQuestion.id == QuestionAnswer.question_id)
        .where(RoundQuestion.round_id == round_.id)
    )
    return first is not None
