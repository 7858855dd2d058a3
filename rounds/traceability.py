"""The traceability graph of one dialogue: contribution → theme → proposal → final value.

The graph's *skeleton* – themes, proposals with their links, splits – is small and read in a
handful of queries per request. Theme placements are not: a large dialogue has a million of
them. So they are never all read for a page; instead the graph asks the database the targeted
question a page needs: where a participant's own few contributions were placed, or grouped
counts of the contributions behind a set of themes. :attr:`Graph.members` still reads every
placement, for the exports and the demo, which want all of them.

A link to a theme stands for the theme's whole *family*: the theme it was merged into (and on,
``Theme.merged_into_id`` – a re-run that retires a theme points it the same way) and the themes
split off it (the workbench logs each split with the new theme ids). So a link set once keeps
reaching the same contributions whatever the consultant does to the themes afterwards.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from dialogue.core.db import Session
from dialogue.core.models import (
    Dialogue,
    Proposal,
    Round,
    Theme,
    ThemeEdit,
    ThemeMember,
)
from dialogue.core.models.analysis import ACTIVE_STATES
from dialogue.core.models.proposal import ITEM_PREFIX, ProposalStatus

#: Ids per ``IN`` list: below every backend's parameter limit.
CHUNK = 500


def proposal_id_of(target: str | None) -> int | None:
    """The proposal id in an item key like ``"proposal:12"``, or None for any other key."""
    if not target or not target.startswith(ITEM_PREFIX):
        return None
    number = target[len(ITEM_PREFIX) :]
    return int(number) if number.isdigit() else None


def chunks(ids: Iterable, size: int = CHUNK) -> Iterable[list]:
    """``ids`` in lists of at most ``size``."""
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@dataclass
class Graph:
    """A dialogue's links; build it with :func:`load_graph`."""

    themes: dict[int, Theme]
    proposals: dict[int, Proposal]
    #: Theme id → ids of the themes split off it (undone splits are left out).
    split_children: dict[int, set[int]] = field(default_factory=dict)
    _members: dict[int, set[uuid.UUID]] | None = None
    _family_cache: dict[int, frozenset[int]] = field(default_factory=dict)

    @property
    def members(self) -> dict[int, set[uuid.UUID]]:
        """Active theme id → ids of its member contributions: every placement, read once."""
        if self._members is None:
            members: dict[int, set[uuid.UUID]] = defaultdict(set)
            for ids in chunks(self.active_ids()):
                rows = Session.execute(
                    select(ThemeMember.theme_id, ThemeMember.contribution_id).where(
                        ThemeMember.theme_id.in_(ids)
                    )
                )
                for theme_id, contribution_id in rows:
                    members[theme_id].add(contribution_id)
            self._members = dict(members)
        return self._members

    def active_ids(self) -> list[int]:
        """Ids of the themes that hold contributions today (suggested or accepted)."""
        return sorted(i for i, theme in self.themes.items() if theme.state in ACTIVE_STATES)

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

    def active_family(self, theme_id: int) -> frozenset[int]:
        """The active themes of ``theme_id``'s family: where its contributions are today."""
        return frozenset(i for i in self.family(theme_id) if self.themes[i].state in ACTIVE_STATES)

    def theme_contributions(self, theme_id: int) -> set[uuid.UUID]:
        """Every contribution a link to ``theme_id`` reaches today."""
        return placed_in(self.active_family(theme_id))

    def family_size(self, theme_id: int) -> int:
        """How many contributions a link to ``theme_id`` reaches today, counted in the database."""
        ids = sorted(self.active_family(theme_id))
        if not ids:
            return 0
        return Session.scalar(
            select(func.count(func.distinct(ThemeMember.contribution_id))).where(
                ThemeMember.theme_id.in_(ids)
            )
        )

    # --- proposal → contributions ----------------------------------------------------------

    def source_theme_ids(self, proposal: Proposal) -> frozenset[int]:
        """Ids of the active themes a proposal's theme links reach."""
        return frozenset(
            member
            for source in proposal.sources
            if source.theme_id is not None
            for member in self.active_family(source.theme_id)
        )

    def source_contribution_ids(self, proposal: Proposal) -> frozenset[uuid.UUID]:
        """Ids of the single contributions linked to a proposal directly."""
        return frozenset(
            source.contribution_id
            for source in proposal.sources
            if source.contribution_id is not None
        )

    def source_themes(self, proposal: Proposal) -> list[Theme]:
        """The active themes a proposal's theme links reach, in id order."""
        return [self.themes[i] for i in sorted(self.source_theme_ids(proposal))]

    def contributions_behind(self, proposal: Proposal) -> set[uuid.UUID]:
        """Every contribution that informed ``proposal``, through themes or directly."""
        return placed_in(self.source_theme_ids(proposal)) | self.source_contribution_ids(proposal)

    # --- contribution → proposals ----------------------------------------------------------

    def placements(self, contribution_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, set[int]]:
        """Contribution id → ids of the active themes it is in, for these contributions only."""
        active = set(self.active_ids())
        found: dict[uuid.UUID, set[int]] = defaultdict(set)
        for ids in chunks(contribution_ids):
            rows = Session.execute(
                select(ThemeMember.contribution_id, ThemeMember.theme_id).where(
                    ThemeMember.contribution_id.in_(ids)
                )
            )
            for contribution_id, theme_id in rows:
                if theme_id in active:
                    found[contribution_id].add(theme_id)
        return dict(found)

    def themes_of(self, contribution_id: uuid.UUID) -> list[Theme]:
        """The active themes a contribution belongs to."""
        placed = self.placements([contribution_id]).get(contribution_id, set())
        return [self.themes[theme_id] for theme_id in sorted(placed)]

    def reach(
        self, contribution_ids: Iterable[uuid.UUID] | None = None
    ) -> dict[uuid.UUID, set[int]]:
        """Contribution id → ids of the proposals it informed (through themes or directly).

        With ``contribution_ids`` (a participant's own), only their paths are read: the
        themes they were placed in, and the proposals whose links reach those themes.
        Without, every contribution's paths, from every placement.
        """
        reached: dict[uuid.UUID, set[int]] = defaultdict(set)
        if contribution_ids is None:
            for proposal in self.proposals.values():
                placed = (self.members.get(i, ()) for i in self.source_theme_ids(proposal))
                for cid in self.source_contribution_ids(proposal).union(*placed):
                    reached[cid].add(proposal.id)
            return reached
        wanted = set(contribution_ids)
        placed = self.placements(wanted)
        for proposal in self.proposals.values():
            themes = self.source_theme_ids(proposal)
            direct = self.source_contribution_ids(proposal)
            for cid in wanted:
                if cid in direct or not themes.isdisjoint(placed.get(cid, ())):
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


def placed_in(theme_ids: Iterable[int]) -> set[uuid.UUID]:
    """Ids of the contributions placed in any of ``theme_ids``."""
    found: set[uuid.UUID] = set()
    for ids in chunks(sorted(theme_ids)):
        found.update(
            Session.scalars(
                select(ThemeMember.contribution_id).where(ThemeMember.theme_id.in_(ids))
            )
        )
    return found


def load_graph(dialogue: Dialogue) -> Graph:
    """Read the dialogue's themes, splits and proposals with their links (not the placements)."""
    round_ids = select(Round.id).where(Round.dialogue_id == dialogue.id).scalar_subquery()
    themes = {
        theme.id: theme
        for theme in Session.scalars(select(Theme).where(Theme.round_id.in_(round_ids)))
    }
    proposals = {
        proposal.id: proposal
        for proposal in Session.scalars(
            select(Proposal)
            .where(Proposal.dialogue_id == dialogue.id)
            .options(selectinload(Proposal.versions), selectinload(Proposal.sources))
            .order_by(Proposal.position, Proposal.id)
        )
    }
    return Graph(themes, proposals, _split_children(round_ids))


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


def record_withdrawals(dialogue: Dialogue, contribution_ids: Iterable[uuid.UUID]) -> None:
    """Before texts are withdrawn or erased: count the source each theme and proposal loses.

    This is the trace's note where a theme or a value loses a source. Only running counts
    change, with no date and no list of texts, so the note tells no more than a theme's
    shrinking size does and names nobody (TARGETS A11).
    """
    ids = list(contribution_ids)
    if not ids:
        return
    graph = load_graph(dialogue)
    themes = Counter(theme_id for placed in graph.placements(ids).values() for theme_id in placed)
    proposals = Counter(pid for reached in graph.reach(ids).values() for pid in reached)
    for model, counts in ((Theme, themes), (Proposal, proposals)):
        for row_id, lost in sorted(counts.items()):
            Session.execute(
                update(model)
                .where(model.id == row_id)
                .values(withdrawn_sources=model.withdrawn_sources + lost)
            )
