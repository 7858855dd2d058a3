"""Each edit of the workbench changes what it says, is logged, and is undone exactly."""

import pytest
from sqlalchemy import func, select

from dialogue.core.db import Session
from dialogue.core.models import (
    AuditEvent,
    ContributionModeration,
    ModerationState,
    Theme,
    ThemeEdit,
)
from dialogue.core.models.analysis import HideReason, MemberSource, ThemeOrigin, ThemeState
from dialogue.workbench.queries import figures
from dialogue.workbench.services import edits, splitting
from dialogue.workbench.services.edits import WorkbenchError
from rounds.theme_run.reading import list_active_themes
from rounds.theme_run.running import run_analysis
from tests.dialogue.workbench.corpus import IT, LEADERSHIP, STRESS, make_analysed_world, theme_of


@pytest.fixture
def world(db_session):
    dialogue, round_, consultant, contributions = make_analysed_world()
    run_analysis(round_, actor_id=consultant.person_id)
    themes = list_active_themes(round_)
    by_name = {
        "stress": theme_of(contributions[STRESS[0]].id, themes),
        "it": theme_of(contributions[IT[0]].id, themes),
        "leadership": theme_of(contributions[LEADERSHIP[0]].id, themes),
    }
    return round_, consultant.person_id, contributions, by_name


def state_of(round_):
    """Everything an undo must put back: themes with fields and members, and moderation."""
    Session.expire_all()
    themes = Session.scalars(select(Theme).where(Theme.round_id == round_.id)).all()
    return {
        theme.id: (
            theme.label,
            theme.description,
            theme.state,
            theme.merged_into_id,
            sorted((str(m.contribution_id), m.source.value, m.score) for m in theme.members),
        )
        for theme in themes
    }, sorted(str(c.id) for c in Session.scalars(select(ContributionModeration.contribution_id)))


def undo_restores(round_, actor, before):
    edit = edits.undo_last_edit(round_, actor_id=actor)
    assert edit.undone_at is not None
    assert state_of(round_) == before
    return edit


def test_rename_is_logged_and_undone(world):
    round_, actor, _, themes = world
    before = state_of(round_)
    edits.rename_theme(
        themes["it"], label="  IT  der driller ", description="Om IT", actor_id=actor
    )
    assert (themes["it"].label, themes["it"].description) == ("IT der driller", "Om IT")
    assert themes["it"].has_custom_label
    edit = Session.scalar(select(ThemeEdit).order_by(ThemeEdit.id.desc()).limit(1))
    assert (edit.action, edit.actor_id) == ("rename", actor)
    audit = Session.scalar(select(AuditEvent).where(AuditEvent.action == "theme.rename"))
    assert audit.actor_id == actor
    assert audit.details["themes"] == [themes["it"].id]
    undo_restores(round_, actor, before)


def test_accept_and_undo(world):
    round_, actor, _, themes = world
    before = state_of(round_)
    edits.accept_theme(themes["stress"], actor_id=actor)
    assert themes["stress"].state is ThemeState.ACCEPTED
    with pytest.raises(WorkbenchError):
        edits.accept_theme(themes["stress"], actor_id=actor)
    undo_restores(round_, actor, before)


def test_merge_moves_members_keeps_the_link_and_undoes(world):
    round_, actor, _, themes = world
    before = state_of(round_)
    edits.merge_themes(round_, [themes["it"], themes["leadership"]], themes["stress"])
    assert len(themes["stress"].members) == 30
    assert themes["it"].state is ThemeState.MERGED
    assert themes["leadership"].merged_into_id == themes["stress"].id
    assert len(list_active_themes(round_)) == 1
    undo_restores(round_, actor, before)


def test_split_recluster_inside_a_theme_and_undo(world):
    round_, actor, contributions, themes = world
    edits.merge_themes(round_, [themes["it"]], themes["stress"], actor_id=actor)
    before = state_of(round_)
    new_themes = splitting.split_theme(themes["stress"], min_group_size=5, actor_id=actor)
    assert len(new_themes) == 1
    assert new_themes[0].origin is ThemeOrigin.SPLIT
    pieces = {
        frozenset(m.contribution_id for m in t.members) for t in [*new_themes, themes["stress"]]
    }
    assert frozenset(contributions[i].id for i in IT) in pieces
    assert all(m.source is MemberSource.MANUAL for m in themes["stress"].members)
    undo_restores(round_, actor, before)
    assert Session.get(Theme, new_themes[0].id) is None


def test_split_of_a_small_theme_is_refused(world):
    round_, actor, _, themes = world
    with pytest.raises(WorkbenchError, match="cannot be split"):
        splitting.split_theme(themes["it"], min_group_size=5, actor_id=actor)


def test_move_between_themes_and_to_unassigned_then_undo(world):
    round_, actor, contributions, themes = world
    before = state_of(round_)
    ids = [contributions[STRESS[0]].id, contributions[IT[0]].id]
    assert edits.move_contributions(round_, ids, themes["leadership"], actor_id=actor) == 2
    current = list_active_themes(round_)
    assert all(theme_of(cid, current).id == themes["leadership"].id for cid in ids)
    edits.move_contributions(round_, ids[:1], None, actor_id=actor)
    assert theme_of(ids[0], list_active_themes(round_)) is None
    edits.undo_last_edit(round_, actor_id=actor)
    undo_restores(round_, actor, before)


def test_create_theme_by_hand_and_undo(world):
    round_, actor, contributions, _ = world
    before = state_of(round_)
    theme = edits.create_theme(round_, label="Kantinen", actor_id=actor)
    assert (theme.origin, theme.state) == (ThemeOrigin.MANUAL, ThemeState.ACCEPTED)
    edits.move_contributions(round_, [contributions[0].id], theme, actor_id=actor)
    edits.undo_last_edit(round_, actor_id=actor)
    undo_restores(round_, actor, before)


def test_hide_with_reason_and_undo(world):
    round_, actor, contributions, themes = world
    before = state_of(round_)
    hidden = contributions[STRESS[2]]
    holder = theme_of(hidden.id, list_active_themes(round_))
    others = {m.contribution_id for m in holder.members} - {hidden.id}
    edits.hide_contribution(hidden, reason=HideReason.OFF_TOPIC, note="reklame", actor_id=actor)
    assert hidden.moderation is ModerationState.HIDDEN
    assert theme_of(hidden.id, list_active_themes(round_)) is None
    assert {m.contribution_id for m in holder.members} == others  # only the text left
    audit = Session.scalar(select(AuditEvent).where(AuditEvent.action == "theme.hide"))
    assert audit.details["themes"] == [holder.id]  # the link it lost, for the trail
    moderation = Session.scalar(select(ContributionModeration))
    assert (moderation.reason, moderation.note) == (HideReason.OFF_TOPIC, "reklame")
    with pytest.raises(WorkbenchError):
        edits.hide_contribution(hidden, reason=HideReason.OFF_TOPIC)
    undo_restores(round_, actor, before)
    assert Session.get(type(hidden), hidden.id).moderation is ModerationState.VISIBLE


def test_undo_stops_at_the_latest_run(world):
    round_, actor, _, themes = world
    with pytest.raises(WorkbenchError, match="analysis run"):
        edits.undo_last_edit(round_, actor_id=actor)
    edits.rename_theme(themes["it"], label="IT", actor_id=actor)
    run_analysis(round_)
    with pytest.raises(WorkbenchError, match="analysis run"):
        edits.undo_last_edit(round_, actor_id=actor)
    assert themes["it"].label == "IT"


def test_edits_of_another_round_are_refused(world, db_session):
    round_, actor, _, themes = world
    other_round, *_ = make_analysed_world()[1:2]
    with pytest.raises(WorkbenchError, match="another round"):
        edits.merge_themes(other_round, [themes["it"]], themes["stress"], actor_id=actor)
    count = Session.scalar(select(func.count()).select_from(ThemeEdit))
    assert count == 1  # only the run


def test_a_merged_theme_takes_its_words_fits_and_quotes_from_all_its_members(world):
    round_, actor, contributions, themes = world
    stress, it = themes["stress"], themes["it"]
    stress_terms, it_terms = list(stress.top_terms), list(it.top_terms)
    before = state_of(round_)

    edits.merge_themes(round_, [stress], it, actor_id=actor)

    assert set(it.top_terms) & set(stress_terms)  # the merged-in words now describe it too
    assert it.top_terms != it_terms
    assert all(m.score is not None for m in it.members)
    counted = figures.theme_figures(round_)
    assert counted["sizes"][it.id] == 20
    stress_texts = {contributions[i].body for i in STRESS}
    assert any(quote in stress_texts for quote in counted["quotes"][it.id])
    undo_restores(round_, actor, before)
    assert it.top_terms == it_terms


def test_a_move_refits_the_theme_the_texts_land_in(world):
    round_, actor, contributions, themes = world
    it = themes["it"]
    moved = [contributions[i].id for i in STRESS[:6]]
    edits.move_contributions(round_, moved, it, actor_id=actor)
    fits = {m.contribution_id: m.score for m in it.members}
    assert all(fits[cid] is not None for cid in moved)
    assert "stress" in " ".join(it.top_terms)
