"""A round's extra questions broken down by the bands of its background questions (staff).

The bands of *all* background questions are suppressed together, as sets of the same people,
exactly as departments and role groups are: no shown band holds fewer than the minimum, and no two
shown bands (of one question or of two) differ by fewer than the minimum, so that combining age
with seniority cannot single out a smaller group. Within a shown band, options are suppressed
again. Each option's count among a set of people lives here too, as the bands count that way.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence, Set
from dataclasses import dataclass

from analysis.suppression import shown_groups, why_hidden
from dialogue.core.models import QuestionType, RoundQuestion
from rounds.questions.setup import SCALE


@dataclass(frozen=True)
class OptionCount:
    """How many chose an option (or a scale value); None when hidden, with why."""

    label: str
    count: int | None
    hidden_as: str = ""


@dataclass(frozen=True)
class BandRow:
    """One band of a background question among those who answered a question; None if hidden."""

    label: str
    respondents: int | None
    options: tuple[OptionCount, ...] = ()
    mean: float | None = None
    hidden_as: str = ""


@dataclass(frozen=True)
class BandBreakdown:
    """A question's answers by the bands of one background question."""

    heading: str
    rows: tuple[BandRow, ...]


def choices(question: RoundQuestion, language: str) -> list[tuple[Hashable, str]]:
    """The question's options (or scale values) as (key, label), in the order shown."""
    if question.type is QuestionType.SCALE:
        return [(value, str(value)) for value in SCALE]
    return [(option.id, option.label(language)) for option in question.options]


def option_counts(
    question: RoundQuestion,
    groups: Mapping[Hashable, Set[str]],
    answered: Set[str],
    language: str,
    k: int,
) -> tuple[OptionCount, ...]:
    """Each option's count among ``answered``, hidden where the suppression rules say so."""
    within = {key: set(members) & answered for key, members in groups.items()}
    within = {key: members for key, members in within.items() if members}
    shown = shown_groups({"option": within}, answered, k)["option"]
    counts = []
    for key, label in choices(question, language):
        members = within.get(key, set())
        if not members or key in shown:
            counts.append(OptionCount(label, len(members)))
        else:
            counts.append(OptionCount(label, None, why_hidden(len(members), k)))
    return tuple(counts)


def _band_mean(
    question: RoundQuestion, groups: Mapping[Hashable, Set[str]], among: Set[str]
) -> float | None:
    """The mean of a scale among the people of one band."""
    if question.type is not QuestionType.SCALE:
        return None
    values = [value for value, members in groups.items() for _author in set(members) & among]
    return sum(values) / len(values) if values else None


def band_breakdowns(
    question: RoundQuestion,
    groups: Mapping[Hashable, Set[str]],
    answered: Set[str],
    backgrounds: Sequence[RoundQuestion],
    chosen: Mapping[int, Mapping[Hashable, Set[str]]],
    language: str,
    k: int,
) -> tuple[BandBreakdown, ...]:
    """``question`` by the bands of each background question, all bands suppressed together."""
    if not backgrounds:
        return ()
    dimensions = {
        b.id: {band: set(members) & answered for band, members in chosen.get(b.id, {}).items()}
        for b in backgrounds
    }
    dimensions = {
        dim: {band: members for band, members in bands.items() if members}
        for dim, bands in dimensions.items()
    }
    shown = shown_groups(dimensions, answered, k)
    result = []
    for background in backgrounds:
        rows = []
        for band, label in choices(background, language):
            members = dimensions[background.id].get(band)
            if not members:
                continue
            if band in shown[background.id]:
                rows.append(
                    BandRow(
                        label,
                        len(members),
                        option_counts(question, groups, members, language, k),
                        _band_mean(question, groups, members),
                    )
                )
            else:
                rows.append(BandRow(label, None, hidden_as=why_hidden(len(members), k)))
        if rows:
            result.append(BandBreakdown(background.text(language), tuple(rows)))
    return tuple(result)
