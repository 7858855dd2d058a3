"""The consultant's part of the demo: round 1 analysed into themes, read and named.

The consultant groups the challenges by meaning (:data:`METHOD`), as the workbench offers:
people wrote them by hand in their own words, which shared words group poorly (on this corpus,
twelve themes by meaning reach NMI 0.38 against the topics, by shared words 0.21, and half of
them against two or three have a clear topic). The vectors are stored as the embedding worker
would have stored them while the round was open; without the ``semantic`` extra the run falls
back to shared words, as any run does.

A consultant names a theme after reading its texts, not after its keywords: here the demo's
consultant "reads" by the topic each hand-written text was written under
(:func:`dialogue.demo.services.corpus.challenge_topics`, never stored). A theme without a clear
topic is split once, as a consultant splits a mixed theme; then a theme whose texts are mostly
(:data:`CLEAR_MAJORITY`) about one topic gets that topic's name, themes about the same topic
merged first, and a theme without a clear majority keeps the name the analysis gave it.

One contribution names a colleague, as real ones sometimes do; the consultant hides it, so the
workbench shows that too.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from sqlalchemy import select

from analysis.embed import EmbeddingUnavailable, load_embedder, model_name, text_hash
from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    ContributionEmbedding,
    Dialogue,
    Membership,
    Role,
    Round,
    Theme,
)
from dialogue.core.models.analysis import HideReason
from dialogue.demo.services import content, corpus
from dialogue.workbench.services import edits, splitting
from rounds.theme_run.reading import list_active_themes, theme_parts
from rounds.theme_run.running import AnalysisRefused, run_analysis

#: The share of a theme's texts that must share a topic for the consultant to name it after it.
CLEAR_MAJORITY = 0.6
#: How the consultant groups the challenges.
METHOD = "semantic"

#: Vector and token count of each text embedded in this process: the demo's texts are the same
#: at every build, and the tests build it many times.
_embedded: dict[str, tuple[np.ndarray, int]] = {}

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
    store_vectors(challenges)
    # The consultant asks for twelve themes, half again the eight topics people wrote about, so
    # that mixed groups can split; themes about one topic are merged below.
    run_analysis(challenges, actor_id=consultant, n_themes=12, seed=0, method=METHOD)
    edits.hide_contribution(
        identifying,
        reason=HideReason.IDENTIFYING,
        note="Nævner en leder ved navn",
        actor_id=consultant,
    )
    for theme in list_active_themes(challenges):
        if clear_topic(theme) is None:
            try:
                splitting.split_theme(
                    theme, min_group_size=dialogue.min_group_size, actor_id=consultant
                )
            except edits.WorkbenchError:  # too small to split: it stays as it is
                continue
    by_topic: dict[str, list[Theme]] = {}
    for theme in list_active_themes(challenges):
        topic = clear_topic(theme)
        if topic in content.THEME_LABELS:
            by_topic.setdefault(topic, []).append(theme)
    for topic, themes in by_topic.items():
        largest, *others = sorted(themes, key=lambda theme: (-len(theme.members), theme.id))
        if others:
            edits.merge_themes(challenges, others, largest, actor_id=consultant)
        edits.rename_theme(largest, label=content.THEME_LABELS[topic], actor_id=consultant)


def store_vectors(round_: Round) -> None:
    """Store the vector of each text of `round_`, as the embedding worker does while it is open.

    Without the ``semantic`` extra nothing is stored, and the run falls back to shared words.
    """
    rows = Session.execute(
        select(Contribution.id, Contribution.body)
        .where(
            Contribution.round_id == round_.id,
            Contribution.body.is_not(None),
            Contribution.body != "",
        )
        .order_by(Contribution.id)  # random ids: vectors are not written in submission order
    ).all()
    missing = sorted({body for _id, body in rows} - set(_embedded))
    if missing:
        try:
            embedder = load_embedder()
        except EmbeddingUnavailable:
            return
        vectors, tokens = embedder.embed(missing)
        _embedded.update(zip(missing, zip(vectors, tokens.tolist(), strict=True), strict=True))
    model = model_name()
    Session.add_all(
        ContributionEmbedding(
            contribution_id=contribution_id,
            model=model,
            text_hash=text_hash(body),
            vector=_embedded[body][0].astype("<f4").tobytes(),
            tokens=_embedded[body][1],
        )
        for contribution_id, body in rows
    )
    Session.flush()


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
    topics = corpus.challenge_topics()
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
