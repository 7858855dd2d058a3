"""The results of a round's extra questions: counts per option and scale value, small groups hidden.

Nothing is shown while the round is open (TARGETS A13). Once it has closed, a question answered
by fewer than the dialogue's minimum group size shows no numbers; otherwise each option's count is
shown unless ``analysis.suppression`` hides it: too few chose it, or hiding a small one would
otherwise be undone by subtracting the shown ones from the total. The breakdowns by background
bands that staff see are in ``rounds.results.question_bands``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy import func, select

from analysis.suppression import shown_disjoint, why_hidden
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    ModerationState,
    QuestionAnswer,
    QuestionType,
    Round,
    RoundQuestion,
    RoundState,
)
from dialogue.core.results_cache.codec import register
from dialogue.core.results_cache.final import warmer
from dialogue.core.results_cache.store import cached
from rounds.questions.reading import questions_of, text_answers
from rounds.results.question_bands import (
    BandBreakdown,
    BandRow,
    OptionCount,
    band_breakdowns,
    choices,
    option_counts,
)


@dataclass(frozen=True)
class QuestionResult:
    """One extra question's numbers as a results page shows them."""

    id: int
    #: The question's type (``QuestionType`` value).
    kind: str
    text: str
    #: Distinct people who answered; None below the minimum group size (nothing else shown).
    respondents: int | None
    options: tuple[OptionCount, ...] = ()
    #: The mean of a 1–5 scale.
    mean: float | None = None
    #: How many texts a text question got (never the texts outside the consultant's view).
    texts: int | None = None
    #: The texts, alphabetically, for the consultant only.
    quoted: tuple[str, ...] = ()
    breakdowns: tuple[BandBreakdown, ...] = ()

    @property
    def suppressed(self) -> bool:
        """True when too few answered for anything but the question to be shown."""
        return self.respondents is None


def question_results(
    round_: Round,
    *,
    language: str,
    now: dt.datetime,
    by_band: bool = False,
    with_texts: bool = False,
) -> list[QuestionResult]:
    """The results of every extra question of a closed round; none while it is open.

    ``by_band`` adds the breakdowns by background bands (staff); ``with_texts`` the texts of
    text questions (the consultant).
    """
    questions = questions_of(round_)
    if not questions or round_.state_at(now) is not RoundState.CLOSED:
        return []
    variant = f"questions:{language}:{int(by_band)}:{int(with_texts)}"
    compute = partial(_compute, round_, questions, language, by_band, with_texts)
    return list(cached(round_, variant, compute))


def _compute(
    round_: Round,
    questions: list[RoundQuestion],
    language: str,
    by_band: bool,
    with_texts: bool,
) -> list[QuestionResult]:
    k = round_.dialogue.min_group_size
    counts, respondents = _counts(questions)
    # Sets of people only where counts cannot do: overlapping options, and breakdowns by band.
    chosen = _answers(
        [q for q in questions if by_band or q.type is QuestionType.MULTIPLE],
    )
    backgrounds = [q for q in questions if q.type is QuestionType.BACKGROUND]
    results = []
    for question in questions:
        text = question.text(language)
        if question.type is QuestionType.TEXT:
            results.append(_text_result(round_, question, language, k, with_texts))
            continue
        answered_by = respondents.get(question.id, 0)
        if answered_by < k:
            results.append(QuestionResult(question.id, question.type.value, text, None))
            continue
        groups = chosen.get(question.id, {})
        if question.type is QuestionType.MULTIPLE:
            answered = set().union(*groups.values())
            options = option_counts(question, groups, answered, language, k)
        else:
            options = _disjoint_counts(question, counts.get(question.id, {}), language, k)
        breakdowns = ()
        if by_band:
            answered = set().union(*groups.values())
            others = [b for b in backgrounds if b.id != question.id]
            breakdowns = band_breakdowns(question, groups, answered, others, chosen, language, k)
        results.append(
            QuestionResult(
                question.id,
                question.type.value,
                text,
                answered_by,
                options,
                _scale_mean(question, counts.get(question.id, {})),
                breakdowns=breakdowns,
            )
        )
    return results


def _counts(
    questions: Sequence[RoundQuestion],
) -> tuple[dict[int, dict[Hashable, int]], dict[int, int]]:
    """Per question: people per option id (or scale value), and people who answered at all.

    Counted by the database, so that a round of a hundred thousand loads no rows for them.
    """
    ids = [q.id for q in questions if q.type is not QuestionType.TEXT]
    counts: dict[int, dict[Hashable, int]] = defaultdict(dict)
    for question_id, option_id, value, people in Session.execute(
        select(
            QuestionAnswer.question_id,
            QuestionAnswer.option_id,
            QuestionAnswer.value,
            func.count(QuestionAnswer.author.distinct()),
        )
        .where(QuestionAnswer.question_id.in_(ids))
        .group_by(QuestionAnswer.question_id, QuestionAnswer.option_id, QuestionAnswer.value)
    ):
        counts[question_id][option_id if option_id is not None else value] = people
    respondents = dict(
        Session.execute(
            select(QuestionAnswer.question_id, func.count(QuestionAnswer.author.distinct()))
            .where(QuestionAnswer.question_id.in_(ids))
            .group_by(QuestionAnswer.question_id)
        ).all()
    )
    return counts, respondents


def _disjoint_counts(
    question: RoundQuestion, counts: Mapping[Hashable, int], language: str, k: int
) -> tuple[OptionCount, ...]:
    """Each option's count where every person chose one (single choice, scale, bands)."""
    sizes = {key: count for key, count in counts.items() if count}
    shown = shown_disjoint(sizes, sum(sizes.values()), k)
    return tuple(
        OptionCount(label, sizes.get(key, 0))
        if not sizes.get(key) or key in shown
        else OptionCount(label, None, why_hidden(sizes[key], k))
        for key, label in choices(question, language)
    )


def _scale_mean(question: RoundQuestion, counts: Mapping[Hashable, int]) -> float | None:
    if question.type is not QuestionType.SCALE or not counts:
        return None
    return sum(value * count for value, count in counts.items()) / sum(counts.values())


def _answers(questions: Sequence[RoundQuestion]) -> dict[int, dict[Hashable, set[str]]]:
    """Per question, per option id (or scale value): the pseudonyms that chose it."""
    chosen: dict[int, dict[Hashable, set[str]]] = defaultdict(lambda: defaultdict(set))
    rows = Session.execute(
        select(
            QuestionAnswer.question_id,
            QuestionAnswer.author,
            QuestionAnswer.option_id,
            QuestionAnswer.value,
        ).where(QuestionAnswer.question_id.in_([q.id for q in questions]))
    )
    for question_id, author, option_id, value in rows:
        chosen[question_id][option_id if option_id is not None else value].add(author)
    return chosen


def _text_result(
    round_: Round, question: RoundQuestion, language: str, k: int, with_texts: bool
) -> QuestionResult:
    rows = Session.execute(
        select(Contribution.author, Contribution.body).where(
            text_answers(round_, question),
            Contribution.moderation == ModerationState.VISIBLE,
            Contribution.body.is_not(None),
        )
    ).all()
    authors = {author for author, _body in rows}
    text = question.text(language)
    if len(authors) < k:
        return QuestionResult(question.id, question.type.value, text, None)
    quoted = tuple(sorted(body for _author, body in rows if body)) if with_texts else ()
    return QuestionResult(
        question.id, question.type.value, text, len(authors), texts=len(rows), quoted=quoted
    )


#: Closed rounds' question results are kept in the results cache: counting a hundred thousand
#: answers on every visit to the results page would take seconds.
register(OptionCount, BandRow, BandBreakdown, QuestionResult, namespace="rounds.questions")


@warmer
def warm_question_results(round_: Round) -> None:
    """Store every view of the closed round's questions in its job, so no reader waits for them.

    Participants and the public, staff (with bands) and the consultant (with texts), in
    Danish and English.
    """
    now = utcnow()
    for language in ("da", "en"):
        for by_band, with_texts in ((False, False), (True, False), (True, True)):
            question_results(
                round_, language=language, now=now, by_band=by_band, with_texts=with_texts
            )
