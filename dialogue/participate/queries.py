"""What the participant's pages read: their own contributions and where they went.

Other features (the member check on "my input") use these too; none of them reads a request
body or writes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from werkzeug.exceptions import NotFound

from dialogue.core.access import current_author
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Membership, Round
from dialogue.core.models.proposal import CoverageMark, CoverageStatus
from dialogue.synthesis.queries.traces import (
    OwnPath,
    ProposalView,
    proposal_view,
    published_to_participants,
)
from rounds import get_kind, submissions
from rounds.items import Item
from rounds.traceability import Graph, proposal_id_of

#: The key prefix of an item that stands for a theme ("theme:12", see ``rounds.items``).
THEME_PREFIX = "theme:"


def own_contribution_or_404(membership: Membership, contribution_id: uuid.UUID):
    """One of the member's own contributions; anybody else's is "not found"."""
    contribution = submissions.get_own(contribution_id, current_author(membership))
    if contribution is None:
        raise NotFound()
    return contribution


@dataclass(frozen=True)
class ItemTrace:
    """An item the participant ranked, rated or answered, and the proposals it concerns."""

    label: str
    proposals: list[ProposalView]


@dataclass(frozen=True)
class Decision:
    """The consultant's decision on input that reaches no final value, as its authors see it."""

    theme: str | None
    status: CoverageStatus
    reason: str


@dataclass(frozen=True)
class OwnTrace:
    """What "my input" adds to a contribution's path: its items and the decisions about it."""

    items: list[ItemTrace]
    decisions: list[Decision]

    def reaches_final(self, path: OwnPath) -> bool:
        """The path reaches a final value, or one of the items it concerns became one."""
        return path.reaches_final or any(
            proposal.is_final for item in self.items for proposal in item.proposals
        )


def _same_name(text: str) -> str:
    return " ".join(text.casefold().split())


def _item_proposals(graph: Graph, item: Item, views: dict[int, ProposalView]) -> list[int]:
    """Ids of the proposals an item concerns, by its key, else by its name.

    ``proposal:N`` is that proposal; ``theme:N`` reaches the proposals its theme (merged or
    split since) informed. An item an admin typed in has no such key: participants know it by
    its name, so a proposal or theme of exactly that name is the one it stands for.
    """
    proposal_id = proposal_id_of(item.key)
    if proposal_id is not None:
        return [proposal_id] if proposal_id in views else []
    if item.key.startswith(THEME_PREFIX) and item.key[len(THEME_PREFIX) :].isdigit():
        themes = graph.active_family(int(item.key[len(THEME_PREFIX) :]))
    else:
        name = _same_name(item.label)
        named = [
            i
            for i, view in views.items()
            if name in {_same_name(view.title), _same_name(view.consulted_title or "")}
        ]
        if named:
            return sorted(named)
        themes = frozenset(
            i for i in graph.active_ids() if _same_name(graph.themes[i].label) == name
        )
    if not themes:
        return []
    return sorted(
        p.id
        for p in graph.proposals.values()
        if p.id in views and not graph.source_theme_ids(p).isdisjoint(themes)
    )


def _items_concerned(kind, round_: Round, contribution: Contribution) -> list[Item]:
    """The items one answer is about: its target, or the items of its ranking, points, ratings."""
    items = kind.items(round_) if kind is not None else []
    data = contribution.data or {}
    # An answer to a proposal shows as such already ("You answered on …").
    answered = contribution.target and proposal_id_of(contribution.target) is None
    keys = [contribution.target] if answered else []
    keys += data.get("ranking", [])
    for values in (data.get("points"), data.get("ratings")):
        keys += list(values or {})
    by_key = {item.key: item for item in items}
    return [by_key[key] for key in dict.fromkeys(keys) if key in by_key]


def own_traces(
    graph: Graph, round_: Round, contributions: list[Contribution], paths: list[OwnPath]
) -> dict[uuid.UUID, OwnTrace]:
    """Contribution id → its items' proposals and the consultant's decisions on its input.

    Read for the participant's own contributions only, like their paths (``own_paths``): the
    decisions on the themes they were placed in, and on the contributions themselves.
    """
    kind = get_kind(round_.kind)
    views = {view.id: view for path in paths for view in path.proposals}
    shown = [p for p in graph.proposals.values() if published_to_participants(p)]
    views.update({p.id: proposal_view(p) for p in shown if p.id not in views})
    placed = graph.placements([contribution.id for contribution in contributions])
    theme_ids = {theme_id for ids in placed.values() for theme_id in ids}
    own_ids = [contribution.id for contribution in contributions]
    marks = (
        list(
            Session.scalars(
                select(CoverageMark).where(
                    or_(
                        CoverageMark.theme_id.in_(theme_ids),
                        CoverageMark.contribution_id.in_(own_ids),
                    )
                )
            )
        )
        if own_ids
        else []
    )
    traces = {}
    for contribution in contributions:
        items = [
            ItemTrace(item.label, [views[i] for i in _item_proposals(graph, item, views)])
            for item in _items_concerned(kind, round_, contribution)
        ]
        decisions = [
            Decision(
                graph.themes[mark.theme_id].label if mark.theme_id is not None else None,
                mark.status,
                mark.reason,
            )
            for mark in marks
            if mark.contribution_id == contribution.id
            or mark.theme_id in placed.get(contribution.id, ())
        ]
        traces[contribution.id] = OwnTrace(items, decisions)
    return traces
