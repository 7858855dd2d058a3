"""The large dialogue's theme analysis of round 1 (each text's topic its theme) and its values."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator

from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import (
    AnalysisRun,
    Contribution,
    Membership,
    Role,
    Round,
    Theme,
    ThemeEdit,
    ThemeMember,
)
from dialogue.core.models.analysis import MemberSource, ThemeOrigin, ThemeState
from dialogue.core.models.proposal import ProposalKind
from dialogue.demo.services import content, synthesis
from dialogue.demo.services.scale.bulk import bulk_insert
from dialogue.synthesis.services import proposals as services


def add_themes(round_: Round, by_topic: dict[str, list[uuid.UUID]], rng: random.Random) -> int:
    """An analysis run of round 1 whose themes are the texts' topics; a few texts unassigned."""
    consultant = Session.scalar(
        select(Membership.person_id).where(
            Membership.dialogue_id == round_.dialogue_id, Membership.role == Role.CONSULTANT
        )
    )
    n_documents = sum(len(ids) for ids in by_topic.values())
    run, themes = _run_with_themes(round_, by_topic, consultant)
    unassigned = 0

    def rows() -> Iterator[tuple]:
        nonlocal unassigned
        for topic, ids in by_topic.items():
            theme_id = themes[topic].id
            for cid in ids:
                if rng.random() < 0.04:
                    unassigned += 1
                    continue
                yield (theme_id, cid, MemberSource.AUTO, round(rng.uniform(0.15, 0.95), 4))

    count = bulk_insert(
        ThemeMember.__table__, ("theme_id", "contribution_id", "source", "score"), rows()
    )
    _describe_run(run, themes, by_topic, n_documents, unassigned)
    Session.add(
        ThemeEdit(
            round_id=round_.id,
            actor_id=consultant,
            action="run",
            after={"run_id": run.id, "n_themes": len(themes)},
        )
    )
    Session.flush()
    return count


def _run_with_themes(
    round_: Round, by_topic: dict[str, list[uuid.UUID]], consultant: int | None
) -> tuple[AnalysisRun, dict[str, Theme]]:
    """The generated analysis run and a suggested theme of it per topic, flushed for their ids."""
    run = AnalysisRun(
        round_id=round_.id,
        method="tfidf",
        parameters={"generated": True, "n_themes": len(by_topic)},
        seed=0,
        versions={"generator": "dialogue generate"},
        quality={},
        actor_id=consultant,
    )
    Session.add(run)
    Session.flush()
    themes = {}
    for topic in by_topic:
        theme = Theme(
            round_id=round_.id,
            label=content.THEME_LABELS.get(topic, topic.capitalize()),
            top_terms=[],
            origin=ThemeOrigin.RUN,
            state=ThemeState.SUGGESTED,
            run_id=run.id,
        )
        Session.add(theme)
        themes[topic] = theme
    Session.flush()
    return run, themes


def _describe_run(
    run: AnalysisRun,
    themes: dict[str, Theme],
    by_topic: dict[str, list[uuid.UUID]],
    n_documents: int,
    unassigned: int,
) -> None:
    """The run's quality figures and its changes: every theme is new."""
    run.quality = {
        "n_documents": n_documents,
        "n_themes": len(themes),
        "n_unassigned": unassigned,
        "n_skipped": 0,
        "n_duplicate_groups": 0,
        "mean_fit": None,
        "silhouette": None,
    }
    run.changes = [
        {
            "theme_id": t.id,
            "label": t.label,
            "kind": "new",
            "size": len(by_topic[k]),
            "previous_size": 0,
            "previous_ids": [],
        }
        for k, t in themes.items()
    ]


def add_proposals(round_: Round) -> int:
    """The demo's values drafted from round 1's themes: four final, one set aside, one text too.

    Without them the traceability pages (my input, coverage, strategy map, public values) would
    have nothing to trace, and a benchmark of them would measure an empty graph.
    """
    themes = {
        theme.label: theme
        for theme in Session.scalars(select(Theme).where(Theme.round_id == round_.id))
    }
    proposals = []
    for title, (perspective, topics, note) in synthesis.DRAFTS.items():
        proposal = services.create_proposal(
            round_.dialogue,
            kind=ProposalKind.VALUE,
            title=title,
            perspective=perspective,
            actor_id=None,
        )
        for topic in topics:
            theme = themes.get(content.THEME_LABELS.get(topic, topic.capitalize()))
            if theme is not None:
                services.add_source(proposal, theme=theme, note=note, actor_id=None)
        if title in synthesis.FINALS:
            final_title, change_note = synthesis.FINALS[title]
            services.finalise_proposal(
                proposal, title=final_title, text="", note=change_note, actor_id=None
            )
        else:
            services.drop_proposal(proposal, note=synthesis.DROPPED[1], actor_id=None)
        proposals.append(proposal)
    single = Session.scalar(
        select(Contribution.id).where(Contribution.round_id == round_.id).limit(1)
    )
    services.add_source(proposals[0], contribution=Session.get(Contribution, single), actor_id=None)
    Session.flush()
    return len(proposals)
