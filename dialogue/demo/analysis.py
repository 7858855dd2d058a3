"""The consultant's part of the demo: round 1 analysed into themes, with a few edits.

One contribution names a colleague, as real ones sometimes do; the consultant hides it, so the
workbench shows that too.
"""

from __future__ import annotations

from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, Dialogue, Membership, Role
from dialogue.core.models.analysis import HideReason
from dialogue.workbench import services
from rounds.theme_run import list_active_themes, run_analysis

#: The consultant's names for the themes whose keywords contain one of these words.
RENAMES = [
    ("Travlhed og arbejdspres", {"sygefraværet", "travlheden", "arbejdsbyrden", "fordelt"}),
    ("IT-systemer, der driller", {"systemer", "it", "nedbrud"}),
]
#: Words of a theme the consultant folds into the IT theme: both are about digital work.
MERGE_INTO_IT = {"kunstig", "automatisering"}

IDENTIFYING_TEXT = "Min leder Bent i Teknik og Miljø holder aldrig personalemøder med os."


def analyse_challenges(dialogue: Dialogue, author: str) -> None:
    """Theme round 1, rename the two largest themes, hide one text and merge two themes."""
    challenges = dialogue.rounds[0]
    consultant = Session.scalar(
        select(Membership.person_id).where(
            Membership.dialogue_id == dialogue.id, Membership.role == Role.CONSULTANT
        )
    )
    identifying = Contribution(
        round_id=challenges.id,
        author=author,
        body=IDENTIFYING_TEXT,
        created_on=challenges.opens_at.date(),
    )
    Session.add(identifying)
    Session.flush()
    # The consultant asks for ten themes, a little more than the eight topics people wrote about.
    run_analysis(challenges, actor_id=consultant, n_themes=10, seed=0)
    themes = sorted(list_active_themes(challenges), key=lambda theme: -len(theme.members))
    renamed = {}
    for label, words in RENAMES:
        theme = _theme_with(themes, words)
        if theme is not None:
            renamed[label] = services.rename_theme(theme, label=label, actor_id=consultant)
    services.hide_contribution(
        identifying,
        reason=HideReason.IDENTIFYING,
        note="Nævner en leder ved navn",
        actor_id=consultant,
    )
    it_theme, digital = renamed.get("IT-systemer, der driller"), _theme_with(themes, MERGE_INTO_IT)
    if it_theme is not None and digital is not None and digital is not it_theme:
        services.merge_themes(challenges, [digital], it_theme, actor_id=consultant)


def _theme_with(themes, words: set[str]):
    """The largest theme whose keywords include one of ``words``."""
    return next((t for t in themes if words & set(" ".join(t.top_terms).split())), None)
