"""The traceability graph keeps every link through merges, splits, re-runs and new versions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dialogue.core.db import Session
from dialogue.core.models import ProposalSource, ThemeEdit
from dialogue.core.models.analysis import ThemeState
from dialogue.core.models.proposal import ProposalKind, ProposalStatus, VersionStage
from dialogue.synthesis.services import proposals as services
from dialogue.synthesis.services import publishing
from dialogue.workbench.services.edits import merge_themes
from rounds.errors import RoundError
from rounds.theme_run.running import run_analysis
from rounds.traceability import load_graph, proposal_id_of
from tests.dialogue.synthesis.conftest import make_theme


def _value(case, title="Trivsel", theme="big"):
    proposal = services.create_proposal(
        case.dialogue, kind=ProposalKind.VALUE, title=title, actor_id=None
    )
    services.add_source(proposal, theme=case.themes[theme], note="Kernen", actor_id=None)
    return proposal


def _behind(case, proposal):
    graph = load_graph(case.dialogue)
    return graph.contributions_behind(graph.proposals[proposal.id]), graph


def test_a_theme_link_reaches_the_themes_contributions_both_ways(case, request_context):
    proposal = _value(case)
    behind, graph = _behind(case, proposal)
    assert behind == {c.id for c in case.texts["big"] + case.texts["extra"]}
    reach = graph.reach()
    assert reach[case.texts["big"][0].id] == {proposal.id}
    assert case.texts["lonely"][0].id not in reach
    assert graph.orphan_sources() == []


def test_merging_keeps_the_link_and_follows_merged_into(case, request_context):
    proposal = _value(case, theme="small")
    before, _ = _behind(case, proposal)
    merge_themes(case.round_, [case.themes["small"]], case.themes["big"], actor_id=None)
    after, graph = _behind(case, proposal)
    assert case.themes["small"].state is ThemeState.MERGED
    assert before <= after  # nothing lost; the merged theme's new home is followed
    assert [t.id for t in graph.source_themes(graph.proposals[proposal.id])] == [
        case.themes["big"].id
    ]


def test_splitting_keeps_the_moved_contributions_on_the_path(case, request_context):
    proposal = _value(case)
    before, _ = _behind(case, proposal)
    big = case.themes["big"]
    moved = case.texts["big"][:4]
    piece = make_theme(case.round_, "Stress", moved)
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
    after, graph = _behind(case, proposal)
    assert after == before
    assert {t.label for t in graph.source_themes(graph.proposals[proposal.id])} == {
        "Arbejdsmiljø",
        "Stress",
    }


def test_renaming_and_new_versions_keep_every_link(case, request_context):
    proposal = _value(case)
    before, _ = _behind(case, proposal)
    case.themes["big"].label = "Trivsel og arbejdsmiljø"
    services.revise_proposal(
        proposal, title="Trivsel for alle", text="Ny tekst", perspective=None, actor_id=None
    )
    services.finalise_proposal(proposal, title="Trivsel", text="", note="", actor_id=None)
    after, _ = _behind(case, proposal)
    assert after == before
    assert [v.stage for v in proposal.versions] == [
        VersionStage.DRAFT,
        VersionStage.DRAFT,
        VersionStage.FINAL,
    ]
    assert len(proposal.sources) == 1  # links belong to the proposal, not to a version


def test_a_rerun_keeps_theme_ids_and_links(case, request_context):
    proposal = _value(case)
    run_analysis(case.round_, seed=0)
    graph = load_graph(case.dialogue)
    assert graph.orphan_sources() == []
    behind = graph.contributions_behind(graph.proposals[proposal.id])
    # The accepted theme keeps its id; what it holds now is reached, and its link is intact.
    assert case.themes["big"].id in graph.themes
    assert behind == {
        cid
        for t in graph.source_themes(graph.proposals[proposal.id])
        for cid in graph.members[t.id]
    }
    assert Session.scalar(select(func.count()).select_from(ProposalSource)) == 1


def test_links_refuse_other_dialogues_and_merged_themes(case, request_context):
    proposal = _value(case)
    merge_themes(case.round_, [case.themes["small"]], case.themes["big"], actor_id=None)
    with pytest.raises(RoundError):
        services.add_source(proposal, theme=case.themes["small"], actor_id=None)
    with pytest.raises(RoundError):
        services.add_source(proposal, theme=case.themes["big"], actor_id=None)  # twice


def test_publishing_fills_items_and_respects_the_lock(case, request_context):
    from dialogue.core.models import RoundKind
    from tests.factories import make_round
    from tests.rounds.factories import answer, closed_times

    consultation = make_round(case.dialogue, RoundKind.CONSULTATION)
    first, second = _value(case, "Trivsel"), _value(case, "Samarbejde", theme="small")
    publishing.publish_for_consultation([first], consultation, actor_id=None)
    publishing.publish_for_consultation([second], consultation, actor_id=None)
    assert [i["key"] for i in consultation.settings["items"]] == [first.item_key, second.item_key]
    assert first.status is ProposalStatus.CONSULTATION
    answer(consultation, case.people[0], {first.item_key: ("4", "")})
    third = _value(case, "Mod")
    with pytest.raises(RoundError):
        publishing.publish_for_consultation([third], consultation, actor_id=None)
    assert third.status is ProposalStatus.DRAFT
    assert proposal_id_of(first.item_key) == first.id
    with pytest.raises(RoundError):  # the change note is required after a consultation
        services.finalise_proposal(first, title="Trivsel", text="", note=" ", actor_id=None)
    services.finalise_proposal(first, title="Trivsel", text="", note="Uændret", actor_id=None)
    action = make_round(case.dialogue, RoundKind.ACTION, **closed_times())
    publishing.feed_final_values(action, actor_id=None)
    assert action.settings["items"] == [{"key": first.item_key, "label": "Trivsel"}]
