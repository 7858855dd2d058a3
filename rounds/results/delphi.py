"""The controlled feedback of a Delphi round: earlier published results and one's own answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dialogue.core.models import Round
from rounds.results.cached import cached_results
from rounds.results.records import ItemResult, RoundResults


@dataclass(frozen=True)
class DelphiFeedback:
    """What a participant sees of earlier rounds while answering this one.

    ``rounds``: the published results of the rounds that feed this one. ``previous``: the
    participant's own ratings in the round this one repeats (their own data, always theirs to
    see); ``previous_results``: the group's results there by item key, once published.
    """

    rounds: tuple[tuple[Round, RoundResults], ...] = ()
    previous: Mapping[str, int] = field(default_factory=dict)
    previous_results: Mapping[str, ItemResult] = field(default_factory=dict)


def delphi_feedback(round_: Round, author: str | None) -> DelphiFeedback:
    """The controlled feedback for ``round_``: published earlier results, own earlier answers.

    Unpublished results stay with the staff, so a round that feeds this one but is not yet
    published is left out. No breakdowns: feedback is for participants.
    """
    from rounds import get_kind  # the kinds import this module

    kind = get_kind(round_.kind)
    if kind is None:
        return DelphiFeedback()
    pairs = []
    for earlier in kind.feedback_rounds(round_):
        earlier_kind = get_kind(earlier.kind)
        if earlier.is_published and earlier_kind is not None:
            pairs.append((earlier, cached_results(earlier, staff=False)))
    repeated = kind.repeated_round(round_)
    previous, previous_results = {}, {}
    if repeated is not None and author is not None:
        previous = (kind.repeated_ratings(round_) or {}).get(author, {})
        for earlier, results in pairs:
            if earlier.id == repeated.id:
                previous_results = {item.key: item for item in results.items}
    return DelphiFeedback(tuple(pairs), previous, previous_results)
