"""A challenges round filled with the thirty Danish staff texts, one author each."""

from __future__ import annotations

from pathlib import Path

from dialogue.core.models import Role
from tests.factories import make_contribution, make_dialogue, make_member, make_round

DATA = Path(__file__).resolve().parents[2] / "data"
STAFF_TEXTS = (DATA / "staff_da.txt").read_text(encoding="utf-8").splitlines()
#: Lines of staff_da.txt per theme.
STRESS, IT, LEADERSHIP = range(0, 10), range(10, 20), range(20, 30)


def make_analysed_world(texts=STAFF_TEXTS, **dialogue_values):
    """A dialogue with a consultant and a round holding `texts`, each by its own participant."""
    dialogue = make_dialogue(**dialogue_values)
    round_ = make_round(dialogue)
    consultant = make_member(dialogue, Role.CONSULTANT)
    contributions = [make_contribution(round_, make_member(dialogue), text) for text in texts]
    return dialogue, round_, consultant, contributions


def add_texts(round_, texts, membership=None):
    """Add `texts` to the round, by one given member or by a new participant each."""
    dialogue = round_.dialogue
    return [make_contribution(round_, membership or make_member(dialogue), text) for text in texts]


def theme_of(contribution_id, themes):
    """The active theme that holds `contribution_id`, or None."""
    holders = [t for t in themes if any(m.contribution_id == contribution_id for m in t.members)]
    assert len(holders) <= 1
    return holders[0] if holders else None
