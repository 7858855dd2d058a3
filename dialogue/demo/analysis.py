"""The consultant's part of the demo: round 1 analysed into themes, read and named.

A consultant names a theme after reading its texts, not after its keywords: here the demo's
consultant "reads" by the topic each hand-written text was written under
(:func:`dialogue.demo.corpus_da.challenge_topics`, never stored). A theme whose texts are mostly
(:data:`CLEAR_MAJORITY`) about one topic gets that topic's name; two themes about the same topic
are merged first; a theme without a clear majority keeps the name the analysis gave it.

One contribution names a colleague, as real ones sometimes do; the consultant hides it, so the
workbench shows that too.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, Dialogue, Membership, Role, Theme
from dialogue.core.models.analysis import HideReason
from dialogue.demo import content, corpus_da
from dialogue.workbench import services
from rounds.theme_run import AnalysisRefused, list_active_themes, run_analysis, theme_parts

#: The share of a theme's texts that must share a topic for the consultant to name it after it.
CLEAR_MAJORITY = 0.6

IDENTIFYING_TEXT = "Min leder Bent i Teknik og Miljø holder aldrig personalemøder med os."


def analyse_challenges(dialogue: Dialogue, author: str) -> None:
    """Theme round 1, hide one text, merge themes about one topic and name the clear ones."""
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
    # The consultant asks for twelve themes, half again the eight topics people wrote about, so
    # that mixed groups can split; themes about one topic are merged below.
    run_analysis(challenges, actor_id=consultant, n_themes=12, seed=0)
    services.hide_contribution(
        identifying,
        reason=HideReason.IDENTIFYING,
        note="Nævner en leder ved navn",
        actor_id=consultant,
    )
    by_topic: dict[str, list[Theme]] = {}
    for theme in list_active_themes(challenges):
        topic = clear_topic(theme)
        if topic in content.THEME_LABELS:
            by_topic.setdefault(topic, []).append(theme)
    for topic, themes in by_topic.items():
        largest, *others = sorted(themes, key=lambda theme: (-len(theme.members), theme.id))
        if others:
            services.merge_themes(challenges, others, largest, actor_id=consultant)
        services.rename_theme(largest, label=content.THEME_LABELS[topic], actor_id=consultant)


def analyse_later_rounds(dialogue: Dialogue) -> None:
    """Theme every other free-text part: strengths, weaknesses, comments per value, commitments.

    The consultant leaves these themes as the analysis named them; a part with too few texts of
    its own (an open round's first days) is skipped, as the workbench would refuse it.
    """
    consultant = Session.scalar(
        select(Membership.person_id).where(
            Membership.dialogue_id == dialogue.id, Membership.role == Role.CONSULTANT
        )
    )
    for round_ in dialogue.rounds[1:]:
        for part, _label in theme_parts(round_):
            try:
                run_analysis(round_, part=part, actor_id=consultant, seed=0)
            except AnalysisRefused:
                continue


def topic_shares(theme: Theme) -> Counter:
    """How many of the theme's texts were written under each topic (None: not in the corpus)."""
    topics = corpus_da.challenge_topics()
    ids = [member.contribution_id for member in theme.members]
    bodies = Session.scalars(select(Contribution.body).where(Contribution.id.in_(ids)))
    return Counter(topics.get(body or "") for body in bodies)


def clear_topic(theme: Theme) -> str | None:
    """The topic most of the theme's texts come from, if they are a clear majority; else None."""
    counts = topic_shares(theme)
    if not counts:
        return None
    topic, count = counts.most_common(1)[0]
    return topic if topic is not None and count >= CLEAR_MAJORITY * counts.total() else None
