"""Anonymous exports of a whole dialogue: one documented JSON file, CSV tables and a workbook.

No export holds an author, a pseudonym, a name, an e-mail or a time finer than a day; hidden
contributions are left out. Without ``raw_text`` (management's exports, TARGETS A6) there is no
contribution text at all. Exports obey the suppression of the screens (TARGETS A5, A12, A13):
a round's results are those its results page shows the participants (nothing but a rounded
count while it is open); one person's structured answers (ratings, rankings, points) are never
listed one by one, only aggregated there; and an open round's texts are those released to the
staff (``rounds.release``). The JSON format is described in ``docs/export-json.md``.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Dialogue, ModerationState, Round, RoundState
from dialogue.synthesis.queries.export_files import plain
from dialogue.synthesis.queries.figures import cached_for, theme_counts, visible_totals
from rounds import get_kind
from rounds.identifying import export_marker, masked_pairs
from rounds.results.cached import cached_results
from rounds.traceability import Graph, load_graph

FORMAT_VERSION = 1
#: The keys of a contribution's structured data that an export keeps: what a text is about.
EXPORTED_DATA = frozenset({"aspect"})


def _shown(count: int, authors: int, k: int) -> int | None:
    return count if authors >= k else None


def build_export(dialogue: Dialogue, *, raw_text: bool) -> dict[str, Any]:
    """The whole dialogue as plain data: rounds, texts, themes, proposals, links, results."""
    graph = load_graph(dialogue)
    contributions = _contributions(dialogue, graph, raw_text)
    visible = {row["id"] for row in contributions}
    return {
        "format": "dialogue-export",
        "version": FORMAT_VERSION,
        "generated_on": utcnow().date().isoformat(),
        "raw_text": raw_text,
        "dialogue": {
            "slug": dialogue.slug,
            "title": dialogue.title,
            "description": dialogue.description,
            "language": dialogue.language,
            "min_group_size": dialogue.min_group_size,
        },
        "rounds": [_round(round_) for round_ in dialogue.rounds],
        "contributions": contributions,
        "themes": theme_rows(graph, dialogue),
        "proposals": _proposals(graph, dialogue.min_group_size, visible),
        "results": [_results(round_) for round_ in dialogue.rounds],
    }


def _round(round_: Round) -> dict[str, Any]:
    kind = get_kind(round_.kind)
    return {
        "id": round_.id,
        "position": round_.position,
        "kind": round_.kind.value,
        "title": round_.title,
        "prompt": round_.prompt,
        "opens_on": round_.opens_at.date().isoformat(),
        "closes_on": round_.closes_at.date().isoformat(),
        "published": round_.is_published,
        "items": [item.as_setting() for item in kind.items(round_)] if kind else [],
    }


def _contributions(dialogue: Dialogue, graph: Graph, raw_text: bool) -> list[dict[str, Any]]:
    themes_of: dict[uuid.UUID, list[int]] = {}
    for theme_id, ids in sorted(graph.members.items()):
        for cid in ids:
            themes_of.setdefault(cid, []).append(theme_id)
    now = utcnow()
    closed = [r.id for r in dialogue.rounds if r.state_at(now) is RoundState.CLOSED]
    rows = Session.execute(
        select(
            Contribution.id,
            Contribution.round_id,
            Contribution.target,
            Contribution.data,
            Contribution.body,
            Contribution.created_on,
            Round.position,
        )
        .join(Round, Round.id == Contribution.round_id)
        .where(
            Round.dialogue_id == dialogue.id,
            Contribution.moderation == ModerationState.VISIBLE,
            Contribution.body.is_not(None),  # an answer without text is in the results only
            or_(Round.id.in_(closed), Contribution.released.is_(True)),
        )
        .order_by(
            Round.position, Contribution.id
        )  # random ids: the order says nothing about authors
    )
    rows = rows.all()
    masked = dict(masked_pairs([(row.id, row.body) for row in rows], marker=export_marker))
    out = []
    for cid, round_id, target, data, _body, day, _position in rows:
        # What the text is about, never the ratings or ranking given with it (one person's).
        shown = {key: value for key, value in (data or {}).items() if key in EXPORTED_DATA}
        row = {"id": str(cid), "round_id": round_id, "target": target, "data": shown}
        row["day"] = day.isoformat()
        if raw_text:
            row["text"] = masked[cid]
        row["theme_ids"] = themes_of.get(cid, [])
        out.append(row)
    return out


def theme_rows(graph: Graph, dialogue: Dialogue) -> list[dict[str, Any]]:
    """Every theme with its size, small groups suppressed (counted in the database, stored)."""
    k = dialogue.min_group_size
    active = graph.active_ids()
    counts = cached_for(dialogue, "themes", lambda: theme_counts(active), key=(active,))
    rows = []
    for theme in sorted(graph.themes.values(), key=lambda t: t.id):
        count, distinct = counts.get(theme.id, (0, 0))
        rows.append(
            {
                "id": theme.id,
                "round_id": theme.round_id,
                "label": theme.label,
                "description": theme.description,
                "top_terms": list(theme.top_terms or []),
                "state": theme.state.value,
                "merged_into_id": theme.merged_into_id,
                "contributions": _shown(count, distinct, k),
                "participants": _shown(distinct, distinct, k),
            }
        )
    return rows


def _proposals(graph: Graph, k: int, visible: set[str]) -> list[dict[str, Any]]:
    rows = []
    for proposal in graph.proposals.values():
        count, distinct = visible_totals(
            graph.source_theme_ids(proposal), graph.source_contribution_ids(proposal)
        )
        rows.append(
            {
                "id": proposal.id,
                "item_key": proposal.item_key,
                "kind": proposal.kind.value,
                "status": proposal.status.value,
                "perspective": proposal.perspective.value if proposal.perspective else None,
                "consultation_round_id": proposal.consultation_round_id,
                "versions": [
                    {
                        "number": v.number,
                        "stage": v.stage.value,
                        "title": v.title,
                        "text": v.text,
                        "change_note": v.change_note,
                        "written_on": v.created_at.date().isoformat(),
                    }
                    for v in proposal.versions
                ],
                "sources": [_source(s, visible) for s in proposal.sources],
                "theme_ids_reached": [t.id for t in graph.source_themes(proposal)],
                "contributions": _shown(count, distinct, k),
                "participants": _shown(distinct, distinct, k),
            }
        )
    return rows


def _source(source, visible: set[str]) -> dict[str, Any]:
    if source.theme_id is not None:
        return {"theme_id": source.theme_id, "contribution_id": None, "note": source.note}
    cid = str(source.contribution_id)
    return {
        "theme_id": None,
        "contribution_id": cid if cid in visible else None,
        "note": source.note,
    }


def _results(round_: Round) -> dict[str, Any]:
    if get_kind(round_.kind) is None:
        return {"round_id": round_.id}
    return plain(cached_results(round_, staff=False))
