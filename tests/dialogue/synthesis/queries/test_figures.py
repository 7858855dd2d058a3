"""The targeted graph queries give what the whole graph in memory gives, link for link.

Pages no longer read every theme placement: a participant's paths come from their own
placements, and counts come from grouped queries. Here both are compared with a reference that
reads every placement and computes in Python (the way the pages did before), on a dialogue that
goes through merges, a split, a re-run and a hidden text, with final, draft and dropped
proposals, a direct link to one text, a second round of another kind and answers to proposals.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from dialogue.core.anonymity import VERBATIM_MIN_AUTHORS
from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    ModerationState,
    RoundKind,
    RoundResultsCache,
    ThemeEdit,
)
from dialogue.core.models.analysis import ACTIVE_STATES, HideReason, ThemeState
from dialogue.core.models.proposal import ProposalKind
from dialogue.synthesis.queries.coverage import coverage
from dialogue.synthesis.queries.exports import theme_rows
from dialogue.synthesis.queries.traces import (
    QUOTE_LENGTH,
    QUOTES_PER_THEME,
    own_paths,
    value_trace,
)
from dialogue.synthesis.services.proposals import (
    add_source,
    create_proposal,
    drop_proposal,
    finalise_proposal,
)
from dialogue.workbench.services.edits import hide_contribution, merge_themes
from rounds import get_kind
from rounds.theme_run.running import run_analysis
from rounds.traceability import load_graph, proposal_id_of
from tests.dialogue.synthesis.conftest import make_theme
from tests.factories import make_contribution, make_round
from tests.rounds.factories import author_of, closed_times

# --- the reference: every placement in memory, as the pages computed before -----------------


def ref_family(graph, theme_id) -> set[int]:
    seen, todo = set(), [theme_id]
    while todo:
        current = todo.pop()
        if current in seen or current not in graph.themes:
            continue
        seen.add(current)
        if graph.themes[current].merged_into_id is not None:
            todo.append(graph.themes[current].merged_into_id)
        todo.extend(graph.split_children.get(current, ()))
    return seen


def ref_behind(graph, proposal) -> set[uuid.UUID]:
    found = set()
    for source in proposal.sources:
        if source.theme_id is not None:
            for member in ref_family(graph, source.theme_id):
                found |= graph.members.get(member, set())
        else:
            found.add(source.contribution_id)
    return found


def ref_visible_authors(ids) -> dict[uuid.UUID, str]:
    rows = Session.execute(
        select(Contribution.id, Contribution.author, Contribution.moderation)
    ).all()
    return {cid: author for cid, author, state in rows if cid in ids and state.value == "visible"}


def ref_quotes(graph, theme_id, authors, k) -> list[str]:
    members = [cid for cid in graph.members.get(theme_id, ()) if cid in authors]
    if len({authors[cid] for cid in members}) < max(VERBATIM_MIN_AUTHORS, k):
        return []
    scores = {m.contribution_id: m.score or 0.0 for m in graph.themes[theme_id].members}
    quotes, seen = [], set()
    for cid in sorted(members, key=lambda cid: (-scores.get(cid, 0.0), str(cid))):
        body = Session.get(Contribution, cid).body
        text = " ".join((body or "").split())
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            quotes.append(text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1] + "…")
        if len(quotes) == QUOTES_PER_THEME:
            break
    return quotes


def ref_trace(graph, proposal, k) -> tuple:
    authors = ref_visible_authors(ref_behind(graph, proposal))
    themes = []
    for theme in graph.source_themes(proposal):
        ids = [cid for cid in graph.members.get(theme.id, ()) if cid in authors]
        distinct = len({authors[cid] for cid in ids})
        shown = distinct >= k
        themes.append(
            (
                theme.label,
                len(ids) if shown else None,
                distinct if shown else None,
                ref_quotes(graph, theme.id, authors, k),
            )
        )
    distinct = len(set(authors.values()))
    shown = distinct >= k
    return themes, (len(authors) if shown else None), (distinct if shown else None)


def ref_coverage(graph, dialogue) -> dict:
    base = {}
    for round_ in dialogue.rounds:
        kind = get_kind(round_.kind)
        targets = dict(
            Session.execute(
                select(Contribution.id, Contribution.target).where(
                    Contribution.round_id == round_.id
                )
            ).all()
        )
        for cid, text in kind.analysis_texts(round_):
            cid = uuid.UUID(str(cid))  # some kinds give ids as text
            if proposal_id_of(targets.get(cid)) is None:
                base[cid] = (round_, text)
    finals = [graph.proposals[i] for i in sorted(graph.final_ids())]
    reached = set().union(*(ref_behind(graph, p) for p in finals)) & set(base)
    authors = ref_visible_authors(set(base))
    covered = {t.id for p in finals for t in graph.source_themes(p)}
    k = dialogue.min_group_size
    themes = {}
    for theme in graph.themes.values():
        if theme.state in ACTIVE_STATES and theme.id not in covered:
            ids = [cid for cid in graph.members.get(theme.id, ()) if cid in authors]
            distinct = len({authors[cid] for cid in ids})
            themes[theme.id] = (len(ids), distinct if distinct >= k else None)
    themed = {cid for ids in graph.members.values() for cid in ids}
    texts = sorted(
        (
            (round_.position, text.casefold(), cid)
            for cid, (round_, text) in base.items()
            if cid not in reached and cid not in themed
        ),
        key=lambda row: row[:2],
    )
    rounds = []
    for round_ in dialogue.rounds:
        ids = [cid for cid, (r, _text) in base.items() if r.id == round_.id]
        if ids:
            rounds.append((round_.title, len(ids), sum(cid in reached for cid in ids)))
    people = len(set(authors.values()))
    return {
        "totals": (len(base), len(reached)),
        "people": (people, len({authors[c] for c in reached if c in authors})),
        "rounds": rounds,
        "themes": themes,
        "texts": [cid for _position, _text, cid in texts],
    }


# --- the dialogue ------------------------------------------------------------------------------


def _proposal(case, title, *, themes=(), texts=(), final=False, drop=False):
    proposal = create_proposal(case.dialogue, kind=ProposalKind.VALUE, title=title, actor_id=None)
    for theme in themes:
        add_source(proposal, theme=theme, actor_id=None)
    for text in texts:
        add_source(proposal, contribution=text, actor_id=None)
    if final:
        finalise_proposal(proposal, title=title, text="", note="", actor_id=None)
    if drop:
        drop_proposal(proposal, note="Lagt til side", actor_id=None)
    return proposal


@pytest.fixture
def world(case, request_context):
    """``case`` plus a third theme, a culture round, four proposals and answers to them."""
    third_texts = [
        make_contribution(case.round_, p, f"Tredje udfordring {i}")
        for i, p in enumerate(case.people[:6])
    ]
    third = make_theme(case.round_, "Ledelse", third_texts, state=ThemeState.SUGGESTED)
    case.themes["third"] = third
    case.texts["third"] = third_texts
    culture = make_round(case.dialogue, RoundKind.CULTURE, **closed_times())
    for i, person in enumerate(case.people[:7]):
        make_contribution(culture, person, f"Kultur {i}")
    make_contribution(culture, case.people[7], "")  # an empty text is no text
    values = {
        "trivsel": _proposal(
            case,
            "Trivsel",
            themes=[case.themes["big"]],
            texts=[case.texts["lonely"][0]],
            final=True,
        ),
        "parkering": _proposal(case, "Parkering", themes=[case.themes["small"]], final=True),
        "ledelse": _proposal(case, "Ledelse", themes=[third]),
        "lagt": _proposal(case, "Lagt", themes=[third], drop=True),
    }
    answer = make_contribution(culture, case.people[8], "Svar på en værdi")
    answer.target = values["trivsel"].item_key
    Session.flush()
    case.values = values
    return case


def _check_against_reference(case):
    """Every fast answer equals the reference's, for every proposal, text and participant."""
    dialogue = case.dialogue
    k = dialogue.min_group_size
    graph = load_graph(dialogue)
    full = load_graph(dialogue)  # the reference reads every placement of this one
    everything = set(Session.scalars(select(Contribution.id)))
    ref_reach = {cid: set() for cid in everything}
    for proposal in full.proposals.values():
        behind = ref_behind(full, proposal)
        assert graph.contributions_behind(graph.proposals[proposal.id]) == behind
        for cid in behind:
            ref_reach[cid].add(proposal.id)
        trace = value_trace(graph, graph.proposals[proposal.id], dialogue)
        themes, contributions, participants = ref_trace(full, full.proposals[proposal.id], k)
        got = [(t.label, t.contributions, t.participants, t.quotes) for t in trace.themes]
        assert (got, trace.contributions, trace.participants) == (
            themes,
            contributions,
            participants,
        )
    assert full.reach() == {cid: ids for cid, ids in ref_reach.items() if ids}
    for person in case.people:
        own = list(
            Session.scalars(select(Contribution).where(Contribution.author == author_of(person)))
        )
        reach = graph.reach([c.id for c in own])
        assert set(reach) <= {c.id for c in own}  # a participant's paths are their own only
        for contribution in own:
            assert reach.get(contribution.id, set()) == ref_reach[contribution.id]
            themes = sorted(t for t, ids in full.members.items() if contribution.id in ids)
            assert [t.id for t in graph.themes_of(contribution.id)] == themes
        for round_ in dialogue.rounds:
            mine = [c for c in own if c.round_id == round_.id]
            for path in own_paths(graph, round_, mine):
                assert {p.id for p in path.proposals} == {
                    i for i in ref_reach[path.id] if graph.proposals[i].status.value != "draft"
                }
    result = coverage(graph, dialogue)
    expected = ref_coverage(full, dialogue)
    assert (result.contributions, result.reached_contributions) == expected["totals"]
    assert (result.participants, result.reached_participants) == expected["people"]
    assert [(r.title, r.contributions, r.reached) for r in result.rounds] == expected["rounds"]
    assert {t.id: (t.contributions, t.participants) for t in result.themes} == expected["themes"]
    assert [t.id for t in result.texts] == expected["texts"]
    assert [t.id for t in result.texts[:1]] == expected["texts"][:1]
    for row in theme_rows(graph, dialogue):
        members = [
            c for c in full.members.get(row["id"], ()) if c in ref_visible_authors(everything)
        ]
        authors = {ref_visible_authors(everything)[c] for c in members}
        assert row["contributions"] == (len(members) if len(authors) >= k else None)
    return ref_reach


def test_fast_queries_match_the_whole_graph_through_every_edit(world, monkeypatch):
    case = world
    # Fewer uncovered texts stored than there are, so reading past them is compared too.
    monkeypatch.setattr("dialogue.synthesis.queries.coverage.STORED_TEXTS", 3)
    trivsel, parkering = case.values["trivsel"], case.values["parkering"]
    first = _check_against_reference(case)
    assert first[case.texts["lonely"][0].id] == {trivsel.id}  # the direct link
    assert first[case.texts["small"][0].id] == {parkering.id}

    merge_themes(case.round_, [case.themes["small"]], case.themes["third"], actor_id=None)
    merged = _check_against_reference(case)
    # The merged theme's texts still reach their value, and so does its new home's.
    assert merged[case.texts["small"][0].id] >= {parkering.id}
    assert parkering.id in merged[case.texts["third"][0].id]

    big = case.themes["big"]
    moved = case.texts["big"][:4]
    piece = make_theme(case.round_, "Stress", moved, state=ThemeState.SUGGESTED)
    big.members[:] = [m for m in big.members if m.contribution_id not in {c.id for c in moved}]
    Session.add(
        ThemeEdit(
            round_id=case.round_.id,
            action="split",
            before={"themes": [{"id": big.id}]},
            after={"created": [piece.id]},
        )
    )
    Session.flush()
    split = _check_against_reference(case)
    assert all(trivsel.id in split[c.id] for c in moved)  # split off, still on the path

    run_analysis(case.round_, seed=0)
    rerun = _check_against_reference(case)
    for cid, reached in split.items():
        assert reached <= rerun[cid] or cid not in {c.id for c in case.texts["big"]}

    hidden = case.texts["big"][5]
    hide_contribution(hidden, reason=HideReason.OFF_TOPIC, actor_id=None)
    assert hidden.moderation is ModerationState.HIDDEN
    _check_against_reference(case)


def test_a_new_link_changes_the_stored_figures_at_once(world):
    case = world
    graph = load_graph(case.dialogue)
    before = coverage(graph, case.dialogue)
    trace = value_trace(graph, case.values["parkering"], case.dialogue)
    add_source(case.values["parkering"], theme=case.themes["third"], actor_id=None)
    graph = load_graph(case.dialogue)
    after = coverage(graph, case.dialogue)
    stored = Session.scalars(select(RoundResultsCache.variant)).all()
    assert {"synthesis:coverage", f"synthesis:trace:{case.values['parkering'].id}"} <= set(stored)
    assert after.reached_contributions == before.reached_contributions + 6
    again = value_trace(graph, graph.proposals[case.values["parkering"].id], case.dialogue)
    assert (trace.contributions, again.contributions) == (None, 8)
