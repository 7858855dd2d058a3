"""What the public pages read: every round's schedule, and the numbers of released rounds only.

Released means closed *and* published by staff (TARGETS R8); the numbers are the same k-gated
ones the participants see (TARGETS A5).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dialogue.core.clock import utcnow
from dialogue.core.models import Dialogue, Round, RoundState
from rounds import get_kind
from rounds.results.cached import cached_results
from rounds.results.questions import question_results


def released(round_: Round, now) -> bool:
    """Closed and published by staff: the only rounds whose results the public sees."""
    return round_.is_published and round_.state_at(now) is RoundState.CLOSED


@dataclass(frozen=True)
class PublicRound:
    """One round on the public page: always its schedule, its numbers only once released."""

    round: Round
    state: RoundState
    released: bool
    participation: Any = None
    results: Any = None
    #: The results of the round's extra questions, without breakdowns by band.
    questions: Any = ()


def public_rounds(dialogue: Dialogue, language: str) -> list[PublicRound]:
    """Every round's schedule; participation and results of the released ones only.

    ``language`` is the page's, for the extra questions' texts.

    Participation and results come from the same k-gated functions the staff and participant
    pages use, read-only: the public results are the participants' (no breakdowns by group),
    and participation shows groups only where ``rounds.results.participation`` lets it.
    """
    from rounds.results.participation import round_participation

    now = utcnow()
    rounds = []
    for round_ in dialogue.rounds:
        state = round_.state_at(now)
        if not released(round_, now) or get_kind(round_.kind) is None:
            rounds.append(PublicRound(round_, state, False))
            continue
        rounds.append(
            PublicRound(
                round_,
                state,
                True,
                participation=round_participation(round_),
                results=cached_results(round_, staff=False),
                questions=question_results(round_, language=language, now=now),
            )
        )
    return rounds
