"""Answering a round's extra questions. Flushes only.

Participants answer all of a round's questions in one form, which replaces their earlier answer.
Choices and scale values are ``QuestionAnswer`` rows; a text answer is a contribution about the
question (``target`` ``question:<id>``), held back from staff until enough have written
(``rounds.release``) and themed like any other text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from dialogue.core.db import Session
from dialogue.core.i18n import page_language
from dialogue.core.models import Contribution, QuestionAnswer, QuestionType, Round, RoundQuestion
from dialogue.core.models.question import QUESTION_TARGET_PREFIX
from rounds import release, submissions
from rounds.errors import SubmissionRejected
from rounds.questions.reading import questions_of, text_answers
from rounds.questions.setup import DEFAULT_TEXT_LENGTH, SCALE

#: The aspect of a text answer's contribution (``data["aspect"]``).
QUESTION_ASPECT = "question"


def field_name(question: RoundQuestion) -> str:
    """The form field of a question's answer."""
    return f"q{question.id}"


def own_answers(round_: Round, author: str) -> dict[str, object]:
    """The author's current answers as form data, found through their pseudonym."""
    questions = {q.id: q for q in questions_of(round_)}
    data: dict[str, object] = {}
    rows = Session.execute(
        select(QuestionAnswer.question_id, QuestionAnswer.option_id, QuestionAnswer.value).where(
            QuestionAnswer.question_id.in_(questions), QuestionAnswer.author == author
        )
    )
    for question_id, option_id, value in rows:
        question = questions[question_id]
        name = field_name(question)
        if question.type is QuestionType.MULTIPLE:
            data.setdefault(name, []).append(str(option_id))  # type: ignore[union-attr]
        else:
            data[name] = str(value if question.type is QuestionType.SCALE else option_id)
    for contribution in _own_texts(round_, author):
        question_id = int(contribution.target.removeprefix(QUESTION_TARGET_PREFIX))
        if question_id in questions:
            data[field_name(questions[question_id])] = contribution.body or ""
    return data


def _own_texts(round_: Round, author: str) -> list[Contribution]:
    return list(
        Session.scalars(
            select(Contribution).where(text_answers(round_), Contribution.author == author)
        )
    )


def answer_questions(
    round_: Round, author: str, raw: Mapping[str, object], *, now: dt.datetime
) -> int:
    """Make ``raw`` (field name → submitted value) the author's answers; return how many.

    Everything is checked before anything is written, so a refused answer changes nothing.
    """
    submissions.ensure_open(round_, now)
    questions = questions_of(round_)
    if not questions:
        raise SubmissionRejected(_l("This round has no extra questions."))
    known = {field_name(q) for q in questions}
    if any(name not in known for name in raw):
        raise SubmissionRejected(
            _l("Your answer mentions a question that is not part of this round. Nothing was saved.")
        )
    choices: list[Choice] = []
    texts: dict[RoundQuestion, str] = {}
    for question in questions:
        value = raw.get(field_name(question))
        if question.type is QuestionType.TEXT:
            text = _clean_text(question, value)
            if text:
                texts[question] = text
            answered = bool(text)
        else:
            picked = _choices(question, value)
            choices += picked
            answered = bool(picked)
        if question.required and not answered:
            raise SubmissionRejected(_l("Please answer this question."), field=field_name(question))
    if not choices and not texts:
        raise SubmissionRejected(_l("Please answer at least one question before you save."))
    ids = [q.id for q in questions]
    Session.execute(
        delete(QuestionAnswer).where(
            QuestionAnswer.question_id.in_(ids), QuestionAnswer.author == author
        )
    )
    Session.add_all(
        QuestionAnswer(
            question_id=question.id,
            author=author,
            option_id=option_id,
            value=value,
            created_on=now.date(),
        )
        for question, option_id, value in choices
    )
    _replace_texts(round_, author, texts, now)
    Session.flush()
    release.release_waiting(round_)
    return len({q.id for q, _o, _v in choices}) + len(texts)


def _clean_text(question: RoundQuestion, value: object) -> str:
    if value is not None and not isinstance(value, str):
        raise SubmissionRejected(
            _l("Please write your answer as text."), field=field_name(question)
        )
    text = submissions.clean_text(value)
    limit = question.maximum or DEFAULT_TEXT_LENGTH
    if len(text) > limit:
        raise SubmissionRejected(
            _l("Please keep each text within %(count)d characters.", count=limit),
            field=field_name(question),
        )
    return text


Choice = tuple[RoundQuestion, int | None, int | None]


def _choices(question: RoundQuestion, value: object) -> list[Choice]:
    """The rows of one choice or scale answer, or SubmissionRejected for a value not offered."""
    values = value if isinstance(value, list | tuple) else [] if value in (None, "") else [value]
    values = [str(v) for v in values if v not in (None, "")]
    if not values:
        return []
    not_offered = SubmissionRejected(
        _l("Please choose one of the options offered."), field=field_name(question)
    )
    if question.type is QuestionType.SCALE:
        if len(values) != 1 or values[0] not in {str(n) for n in SCALE}:
            raise not_offered
        return [(question, None, int(values[0]))]
    offered = {str(option.id): option.id for option in question.options}
    if any(v not in offered for v in values) or len(set(values)) != len(values):
        raise not_offered
    if question.type is not QuestionType.MULTIPLE and len(values) > 1:
        raise not_offered
    most = question.maximum if question.type is QuestionType.MULTIPLE else None
    if most and len(values) > most:
        raise SubmissionRejected(
            _l("Please choose at most %(count)d options.", count=question.maximum),
            field=field_name(question),
        )
    return [(question, offered[v], None) for v in values]


def _replace_texts(
    round_: Round, author: str, texts: Mapping[RoundQuestion, str], now: dt.datetime
) -> None:
    """Upsert the author's text answers as contributions; a text left empty is deleted."""
    by_target = {}
    for contribution in _own_texts(round_, author):
        if contribution.target in by_target:  # a duplicate from a concurrent first answer
            Session.delete(contribution)
        else:
            by_target[contribution.target] = contribution
    wanted = {question.target: text for question, text in texts.items()}
    for target, contribution in by_target.items():
        if target not in wanted:
            Session.delete(contribution)
    for target, text in wanted.items():
        contribution = by_target.get(target)
        if contribution is None:
            contribution = Contribution(
                round_id=round_.id,
                author=author,
                target=target,
                data={"aspect": QUESTION_ASPECT},
                created_on=now.date(),
            )
            Session.add(contribution)
        if contribution.body != text:
            release.hold(contribution)  # new or changed: it waits for the next batch
        contribution.body = text


def own_choices(round_: Round, author: str) -> list[tuple[RoundQuestion, dt.date, list]]:
    """The author's choice and scale answers in ``round_``: (question, day, chosen) in order."""
    questions = {q.id: q for q in questions_of(round_) if q.type is not QuestionType.TEXT}
    rows = Session.execute(
        select(
            QuestionAnswer.question_id,
            QuestionAnswer.option_id,
            QuestionAnswer.value,
            QuestionAnswer.created_on,
        ).where(QuestionAnswer.question_id.in_(questions), QuestionAnswer.author == author)
    )
    language = page_language()
    chosen: dict[int, list] = {}
    days: dict[int, dt.date] = {}
    for question_id, option_id, value, day in rows:
        labels = {o.id: o.label(language) for o in questions[question_id].options}
        chosen.setdefault(question_id, []).append(value if option_id is None else labels[option_id])
        days[question_id] = day
    return [(questions[q], days[q], chosen[q]) for q in questions if q in chosen]


def erase_answers(round_ids: Sequence[int], author: str) -> int:
    """Delete the author's choice and scale answers in the given rounds; return how many questions.

    Counted per question, as the author's copy (:func:`own_choices`) lists them.
    """
    questions = select(RoundQuestion.id).where(RoundQuestion.round_id.in_(round_ids))
    mine = (QuestionAnswer.question_id.in_(questions), QuestionAnswer.author == author)
    answered = Session.scalar(
        select(func.count(QuestionAnswer.question_id.distinct())).where(*mine)
    )
    Session.execute(delete(QuestionAnswer).where(*mine))
    return answered or 0
