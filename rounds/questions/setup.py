"""Extra questions beside a round kind's own form: setting them up. Flushes only.

Staff add single and multiple choice questions, 1–5 scales, short texts and background questions
to a round, in Danish and English, in an order of their choosing, until the round has input;
after that a change would alter what some participants were asked, so it is refused like a locked
setting. Background questions (age, seniority) offer only the coarse bands of a predefined set,
never free numbers, and are always optional.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.models import QuestionOption, QuestionType, Round, RoundQuestion
from rounds.answered import has_input
from rounds.errors import InvalidSettings
from rounds.questions.reading import questions_of

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
    if has_input(round_):
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
