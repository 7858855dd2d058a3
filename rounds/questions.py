"""Extra questions beside a round kind's own form: setting them up and answering. Flushes only.

Staff add single and multiple choice questions, 1–5 scales, short texts and background questions
to a round, in Danish and English, in an order of their choosing, until the round has input;
after that a change would alter what some participants were asked, so it is refused like a locked
setting. Background questions (age, seniority) offer only the coarse bands of a predefined set,
never free numbers, and are always optional.

Participants answer all of a round's questions in one form, which replaces their earlier answer.
Choices and scale values are ``QuestionAnswer`` rows; a text answer is a contribution about the
question (``target`` ``question:<id>``), held back from staff until enough have written
(``rounds.release``) and themed like any other text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, delete, func, select
from sqlalchemy.sql.elements import ColumnElement

from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.i18n import page_language
from dialogue.core.models import (
    Contribution,
    Dialogue,
    ModerationState,
    QuestionAnswer,
    QuestionOption,
    QuestionType,
    Round,
    RoundQuestion,
)
from dialogue.core.models.question import QUESTION_TARGET_PREFIX
from rounds import release, submissions
from rounds.errors import InvalidSettings, SubmissionRejected

#: The aspect of a text answer's contribution (``data["aspect"]``).
QUESTION_ASPECT = "question"
#: Longest question and option texts; a question is a sentence, an option a few words.
MAX_QUESTION_LENGTH = 500
MAX_OPTION_LENGTH = 200
MAX_OPTIONS = 20
#: A text answer is short: between these limits, 500 characters unless staff say otherwise.
TEXT_LENGTHS = (20, 2000)
DEFAULT_TEXT_LENGTH = 500
#: A round asks a handful of extra questions, not a survey of its own.
MAX_QUESTIONS = 20
SCALE = (1, 2, 3, 4, 5)

TYPE_LABELS = {
    QuestionType.SINGLE: _l("Single choice"),
    QuestionType.MULTIPLE: _l("Multiple choice"),
    QuestionType.SCALE: _l("Scale 1–5"),
    QuestionType.TEXT: _l("Short text"),
    QuestionType.BACKGROUND: _l("Background (coarse bands)"),
}


@dataclass(frozen=True)
class BandSet:
    """A predefined set of coarse bands a background question may offer."""

    label: object
    text_da: str
    text_en: str
    bands: tuple[tuple[str, str], ...]


#: The only background questions there are: bands wide enough that few people share none.
BAND_SETS = {
    "age": BandSet(
        _l("Age in bands of 10–15 years"),
        "Hvor gammel er du?",
        "How old are you?",
        (
            ("Under 30 år", "Under 30"),
            ("30–44 år", "30–44"),
            ("45–59 år", "45–59"),
            ("60 år eller derover", "60 or over"),
        ),
    ),
    "seniority": BandSet(
        _l("Years in the organisation, in four bands"),
        "Hvor længe har du været i organisationen?",
        "How long have you been in the organisation?",
        (
            ("Under 2 år", "Under 2 years"),
            ("2–5 år", "2–5 years"),
            ("6–15 år", "6–15 years"),
            ("Over 15 år", "Over 15 years"),
        ),
    ),
}


class QuestionsLocked(InvalidSettings):
    """The round has input: its questions are what its participants were asked."""

    status = 409


QUESTIONS_LOCKED = _l(
    "This round already has input, so its extra questions can no longer change. Nothing was saved."
)


# --- Reading ------------------------------------------------------------------------------


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


# --- Setting up ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSpec:
    """A question as staff typed it; :func:`clean_spec` checks it."""

    type: QuestionType
    text_da: str
    text_en: str
    required: bool = False
    #: Longest text (text), most options chosen (multiple; None for no limit).
    maximum: int | None = None
    #: (Danish, English) per option, for single and multiple choice.
    options: Sequence[tuple[str, str]] = ()
    band_set: str | None = None


def _words(text: str | None) -> str:
    return " ".join((text or "").split())


def clean_spec(spec: QuestionSpec) -> QuestionSpec:
    """The spec with its texts trimmed and its rules checked, or InvalidSettings."""
    text_da, text_en = _words(spec.text_da), _words(spec.text_en)
    band_set = BAND_SETS.get(spec.band_set or "")
    if spec.type is QuestionType.BACKGROUND:
        if band_set is None:
            raise InvalidSettings(_l("Choose one of the band sets."), field="band_set")
        text_da, text_en = text_da or band_set.text_da, text_en or band_set.text_en
    if not text_da or not text_en:
        raise InvalidSettings(
            _l("Please write the question in both Danish and English."), field="text_da"
        )
    if max(len(text_da), len(text_en)) > MAX_QUESTION_LENGTH:
        raise InvalidSettings(
            _l("Please keep the question within %(count)d characters.", count=MAX_QUESTION_LENGTH),
            field="text_da",
        )
    if spec.type is QuestionType.BACKGROUND:
        # Offered as bands only, and never required: nobody has to place themselves in a group.
        return QuestionSpec(
            spec.type, text_da, text_en, options=band_set.bands, band_set=spec.band_set
        )
    options: tuple[tuple[str, str], ...] = ()
    if spec.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        options = tuple((_words(da), _words(en)) for da, en in spec.options)
        _check_options(options)
    maximum = _clean_maximum(spec.type, spec.maximum, len(options))
    return QuestionSpec(spec.type, text_da, text_en, bool(spec.required), maximum, options)


def _clean_maximum(kind: QuestionType, maximum: int | None, options: int) -> int | None:
    """The most options to choose (multiple choice) or the longest text; None for the others."""
    if kind is QuestionType.MULTIPLE and maximum is not None and not 1 <= maximum <= options:
        raise InvalidSettings(
            _l("The most options to choose must lie between 1 and the number of options."),
            field="maximum",
        )
    if kind is QuestionType.TEXT:
        maximum = DEFAULT_TEXT_LENGTH if maximum is None else maximum
        if not TEXT_LENGTHS[0] <= maximum <= TEXT_LENGTHS[1]:
            raise InvalidSettings(
                _l(
                    "The longest answer must be between %(least)d and %(most)d characters.",
                    least=TEXT_LENGTHS[0],
                    most=TEXT_LENGTHS[1],
                ),
                field="maximum",
            )
        return maximum
    return maximum if kind is QuestionType.MULTIPLE else None


def _check_options(options: Sequence[tuple[str, str]]) -> None:
    if not 2 <= len(options) <= MAX_OPTIONS:
        raise InvalidSettings(
            _l("A choice needs between 2 and %(count)d options.", count=MAX_OPTIONS),
            field="options",
        )
    if any(not da or not en for da, en in options):
        raise InvalidSettings(
            _l("Each option needs a Danish and an English text, like “Ja | Yes”."),
            field="options",
        )
    if any(max(len(da), len(en)) > MAX_OPTION_LENGTH for da, en in options):
        raise InvalidSettings(
            _l("Please keep each option within %(count)d characters.", count=MAX_OPTION_LENGTH),
            field="options",
        )
    for language in (0, 1):
        texts = [option[language].casefold() for option in options]
        if len(set(texts)) != len(texts):
            raise InvalidSettings(_l("Two options have the same text."), field="options")


def refuse_if_answered(round_: Round) -> None:
    """Questions change only while nobody has answered anything in the round."""
    if submissions.has_input(round_):
        raise QuestionsLocked(QUESTIONS_LOCKED)


def add_question(round_: Round, spec: QuestionSpec, *, actor_id: int | None) -> RoundQuestion:
    """Add a question at the end of the round's questions."""
    refuse_if_answered(round_)
    spec = clean_spec(spec)
    existing = questions_of(round_)
    if len(existing) >= MAX_QUESTIONS:
        raise InvalidSettings(
            _l("A round has at most %(count)d extra questions.", count=MAX_QUESTIONS)
        )
    position = max((q.position for q in existing), default=0) + 1
    question = RoundQuestion(round_id=round_.id, position=position)
    _apply(question, spec)
    Session.add(question)
    Session.flush()
    _record(actor_id, "round.question.add", round_, question)
    return question


def update_question(
    question: RoundQuestion, spec: QuestionSpec, *, actor_id: int | None
) -> RoundQuestion:
    """Change a question's type, texts, rules and options."""
    refuse_if_answered(question.round)
    _apply(question, clean_spec(spec))
    Session.flush()
    _record(actor_id, "round.question.update", question.round, question)
    return question


def _apply(question: RoundQuestion, spec: QuestionSpec) -> None:
    question.type = spec.type
    question.text_da, question.text_en = spec.text_da, spec.text_en
    question.required, question.maximum = spec.required, spec.maximum
    question.band_set = spec.band_set
    question.options = [
        QuestionOption(position=index, label_da=da, label_en=en)
        for index, (da, en) in enumerate(spec.options, start=1)
    ]


def copy_questions(source: Round, target: Round) -> list[RoundQuestion]:
    """Give ``target`` the questions of ``source`` (order, texts, rules, options), not the answers.

    A round asked again asks what the first did, so participants' answers can be compared.
    """
    copies = [
        RoundQuestion(
            round_id=target.id,
            position=question.position,
            type=question.type,
            text_da=question.text_da,
            text_en=question.text_en,
            required=question.required,
            maximum=question.maximum,
            band_set=question.band_set,
            options=[
                QuestionOption(position=o.position, label_da=o.label_da, label_en=o.label_en)
                for o in question.options
            ],
        )
        for question in questions_of(source)
    ]
    Session.add_all(copies)
    Session.flush()
    return copies


def delete_question(question: RoundQuestion, *, actor_id: int | None) -> None:
    """Remove a question from the round."""
    round_ = question.round
    refuse_if_answered(round_)
    _record(actor_id, "round.question.delete", round_, question)
    Session.delete(question)
    Session.flush()


def move_question(question: RoundQuestion, offset: int, *, actor_id: int | None) -> None:
    """Move a question one place earlier (-1) or later (+1); past either end does nothing."""
    if offset not in (-1, 1):
        raise ValueError("offset must be -1 or 1")
    refuse_if_answered(question.round)
    ordered = questions_of(question.round)
    index = ordered.index(question)
    if not 0 <= index + offset < len(ordered):
        return
    ordered[index], ordered[index + offset] = ordered[index + offset], ordered[index]
    for position, each in enumerate(ordered, start=1):
        each.position = position
    Session.flush()
    _record(actor_id, "round.question.move", question.round, question)


def _record(actor_id, action: str, round_: Round, question: RoundQuestion) -> None:
    record_event(
        actor_id, action, round_.dialogue, subject=f"round:{round_.id}", question=question.id
    )


# --- Answering ----------------------------------------------------------------------------


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
