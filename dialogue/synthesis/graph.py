"""The traceability graph of one dialogue: contribution → theme → proposal → final value.

The graph is read from its stored links in a handful of queries and held in memory, so that
both directions are cheap: from a contribution to the proposals it informed (a participant's
"my input"), and from a proposal to the contributions behind it ("why this value?", coverage).

A link to a theme stands for the theme's whole *family*: the theme it was merged into (and on,
``Theme.merged_into_id`` – a re-run that retires a theme points it the same way) and the themes
split off it (the workbench logs each split with the new theme ids). So a link set once keeps
reaching the same contributions whatever the consultant does to the themes afterwards.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dialogue.db import Session
from dialogue.models import (
    Contribution,
    Dialogue,
    ModerationState,
    Proposal,
    Round,
    Theme,
    ThemeEdit,
    ThemeMember,
)
from dialogue.models.analysis import ACTIVE_STATES
from dialogue.models.proposal import ITEM_PREFIX, ProposalStatus


def proposal_id_of(target: str | None) -> int | None:
    """The proposal id in an item key like ``"proposal:12"``, or None for any other key."""
    if not target or not target.startswith(ITEM_PREFIX):
        return None
    number = target[len(ITEM_PREFIX) :]
    return int(number) if number.isdigit() else None


@dataclass
class Graph:
    """A dialogue's links, in memory; build it with :func:`load_graph`."""

    themes: dict[int, Theme]
    #: Active theme id → ids of its member contributions.
    members: dict[int, set[uuid.UUID]]
    proposals: dict[int, Proposal]
    #: Theme id → ids of the themes split off it (undone splits are left out).
    split_children: dict[int, set[int]] = field(default_factory=dict)
    _family_cache: dict[int, frozenset[int]] = field(default_factory=dict)

    # --- theme families ---------------------------------------------------------------------

    def family(self, theme_id: int) -> frozenset[int]:
        """The theme and every theme its contributions went to by merging, retiring or splitting."""
        if theme_id not in self._family_cache:
            seen, todo = set(), [theme_id]
            while todo:
                current = todo.pop()
                if current in seen or current not in self.themes:
                    continue
                seen.add(current)
                merged_into = self.themes[current].merged_into_id
                if merged_into is not None:
                    todo.append(merged_into)
                todo.extend(self.split_children.get(current, ()))
            self._family_cache[theme_id] = frozenset(seen)
        return self._family_cache[theme_id]

    def theme_contributions(self, theme_id: int) -> set[uuid.UUID]:
        """Every contribution a link to ``theme_id`` reaches today."""
        return {cid for member in self.family(theme_id) for cid in self.members.get(member, ())}

    # --- proposal → contributions ----------------------------------------------------------

    def source_themes(self, proposal: Proposal) -> list[Theme]:
        """The active themes a proposal's theme links reach, in id order."""
        ids = {
            member
            for source in proposal.sources
            if source.theme_id is not None
            for member in self.family(source.theme_id)
            if self.themes[member].state in ACTIVE_STATES
        }
        return [self.themes[i] for i in sorted(ids)]

    def contributions_behind(self, proposal: Proposal) -> set[uuid.UUID]:
        """Every contribution that informed ``proposal``, through themes or directly."""
        found: set[uuid.UUID] = set()
        for source in proposal.sources:
            if source.theme_id is not None:
                found |= self.theme_contributions(source.theme_id)
            elif source.contribution_id is not None:
                found.add(source.contribution_id)
        return found

    # --- contribution → proposals ----------------------------------------------------------

    def themes_of(self, contribution_id: uuid.UUID) -> list[Theme]:
        """The active themes a contribution belongs to."""
        return [
            self.themes[theme_id]
            for theme_id in sorted(self.members)
            if contribution_id in self.members[theme_id]
        ]

    def reach(self) -> dict[uuid.UUID, set[int]]:
        """Contribution id → ids of the proposals it informed (through themes or directly)."""
        reached: dict[uuid.UUID, set[int]] = defaultdict(set)
        for proposal in self.proposals.values():
            for cid in self.contributions_behind(proposal):
                reached[cid].add(proposal.id)
        return reached

    def final_ids(self) -> set[int]:
        """Ids of the final proposals (values, strategies, initiatives)."""
        return {p.id for p in self.proposals.values() if p.status is ProposalStatus.FINAL}

    def orphan_sources(self) -> list[int]:
        """Ids of theme links whose theme no longer exists: must always be empty."""
        return [
            source.id
            for proposal in self.proposals.values()
            for source in proposal.sources
            if source.theme_id is not None and source.theme_id not in self.themes
        ]


def load_graph(dialogue: Dialogue) -> Graph:
    """Read the dialogue's themes, memberships, splits and proposals with their links."""
    round_ids = select(Round.id).where(Round.dialogue_id == dialogue.id).scalar_subquery()
    themes = {
        theme.id: theme
        for theme in Session.scalars(select(Theme).where(Theme.round_id.in_(round_ids)))
    }
    members: dict[int, set[uuid.UUID]] = defaultdict(set)
    rows = Session.execute(
        select(ThemeMember.theme_id, ThemeMember.contribution_id)
        .join(Theme, Theme.id == ThemeMember.theme_id)
        .where(Theme.round_id.in_(round_ids), Theme.state.in_(ACTIVE_STATES))
    )
    for theme_id, contribution_id in rows:
        members[theme_id].add(contribution_id)
    proposals = {
        proposal.id: proposal
        for proposal in Session.scalars(
            select(Proposal)
            .where(Proposal.dialogue_id == dialogue.id)
            .options(selectinload(Proposal.versions), selectinload(Proposal.sources))
            .order_by(Proposal.position, Proposal.id)
        )
    }
    return Graph(themes, dict(members), proposals, _split_children(round_ids))


def _split_children(round_ids) -> dict[int, set[int]]:
    """Theme id → themes split off it, from the workbench's log of splits still in force."""
    children: dict[int, set[int]] = defaultdict(set)
    edits = Session.scalars(
        select(ThemeEdit).where(
            ThemeEdit.round_id.in_(round_ids),
            ThemeEdit.action == "split",
            ThemeEdit.undone_at.is_(None),
        )
    )
    for edit in edits:
        created = (edit.after or {}).get("created", [])
        for saved in (edit.before or {}).get("themes", []):
            children[saved["id"]].update(int(i) for i in created)
    return dict(children)


def visible_authors(contribution_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Contribution id → author pseudonym, for the visible ones among ``contribution_ids``.

    Pseudonyms are only ever counted: they never leave the module that asked for them.
    """
    if not contribution_ids:
        return {}
    found: dict[uuid.UUID, str] = {}
    ids = list(contribution_ids)
    for start in range(0, len(ids), 500):  # stay below every backend's parameter limit
        rows = Session.execute(
            select(Contribution.id, Contribution.author).where(
                Contribution.id.in_(ids[start : start + 500]),
                Contribution.moderation == ModerationState.VISIBLE,
            )
        )
        found.update(dict(rows.all()))
    return found
