"""Runs of the theme analysis are stored, and re-runs keep themes and the consultant's work."""

import pytest
from sqlalchemy import select

from analysis import analyse
from dialogue.core.db import Session
from dialogue.core.models import AnalysisRun, AuditEvent, ThemeEdit
from dialogue.core.models.analysis import HideReason, MemberSource, ThemeState
from dialogue.workbench.services import edits as services
from rounds.theme_run.reading import list_active_themes, round_documents
from rounds.theme_run.running import AnalysisRefused, run_analysis
from tests.dialogue.workbench.corpus import (
    IT,
    STAFF_TEXTS,
    STRESS,
    add_texts,
    make_analysed_world,
    theme_of,
)
from tests.factories import make_dialogue, make_member, make_round


@pytest.fixture
def world(db_session):
    return make_analysed_world()


def placed(themes):
    return [m.contribution_id for theme in themes for m in theme.members]


def test_run_analysis_stores_themes_members_and_parameters(world):
    dialogue, round_, consultant, contributions = world
    run = run_analysis(round_, actor_id=consultant.person_id, seed=3)

    themes = list_active_themes(round_)
    assert sorted(theme.label for theme in themes) == [
        "IT-systemerne",
        "ledelsen, medarbejderne",
        "stress og travlhed",
    ]
    assert all(theme.state is ThemeState.SUGGESTED and theme.run_id == run.id for theme in themes)
    assert all(m.source is MemberSource.AUTO and m.score is not None for m in themes[0].members)
    assert len(placed(themes)) == len(set(placed(themes)))  # nobody in two themes
    stress = theme_of(contributions[STRESS[0]].id, themes)
    assert {c.id for c in contributions[:10]} == {m.contribution_id for m in stress.members}
    assert run.seed == 3
    assert run.parameters["random_state"] == 3
    assert run.parameters["min_group_size"] == dialogue.min_group_size
    assert run.method == "tfidf"
    assert "scikit_learn" in run.versions
    assert run.quality["n_documents"] == 30
    assert run.quality["n_themes"] == 3
    assert {change["kind"] for change in run.changes} == {"new"}
    assert Session.scalar(select(ThemeEdit.action).where(ThemeEdit.round_id == round_.id)) == "run"
    event = Session.scalar(select(AuditEvent).where(AuditEvent.action == "analysis.run"))
    assert event.actor_id == consultant.person_id
    assert event.details["run_id"] == run.id


def test_rerun_keeps_ids_names_and_manual_moves(world):
    _, round_, consultant, contributions = world
    # The consultant asks for the three themes the texts were written about, so that what is
    # tested is what a re-run keeps, not how many themes it would choose for 36 texts.
    run_analysis(round_, seed=0, n_themes=3)
    themes = list_active_themes(round_)
    stress = theme_of(contributions[STRESS[0]].id, themes)
    it = theme_of(contributions[IT[0]].id, themes)
    services.rename_theme(stress, label="Travlhed og stress")
    moved = contributions[STRESS[1]]
    services.move_contributions(round_, [moved.id], it)
    late = add_texts(round_, [STAFF_TEXTS[i] + " Det er hårdt." for i in STRESS[:6]])
    ids_before = {theme.id for theme in themes}

    run = run_analysis(round_, seed=5, n_themes=3)

    themes = list_active_themes(round_)
    assert {theme.id for theme in themes} == ids_before
    assert next(t for t in themes if t.id == stress.id).label == "Travlhed og stress"
    assert theme_of(moved.id, themes).id == it.id
    assert all(theme_of(c.id, themes).id == stress.id for c in late)
    kinds = {change["theme_id"]: change["kind"] for change in run.changes}
    assert kinds[stress.id] == "grown"


def test_rerun_keeps_a_merge_and_retires_nothing_the_consultant_made(world):
    _, round_, _, contributions = world
    run_analysis(round_, n_themes=3)
    themes = list_active_themes(round_)
    stress = theme_of(contributions[STRESS[0]].id, themes)
    it = theme_of(contributions[IT[0]].id, themes)
    services.merge_themes(round_, [it], stress)

    run_analysis(round_, n_themes=3)

    themes = list_active_themes(round_)
    assert it.id not in {theme.id for theme in themes}
    assert it.state is ThemeState.MERGED
    assert it.merged_into_id == stress.id
    assert theme_of(contributions[IT[3]].id, themes).id == stress.id
    assert len(themes) == 2


def test_hidden_contribution_leaves_the_next_run_and_the_quotes(world, app_context):
    from dialogue.workbench.queries.figures import list_theme_summaries, theme_figures

    _, round_, _, contributions = world
    hidden = contributions[STRESS[0]]
    run_analysis(round_)
    services.hide_contribution(hidden, reason=HideReason.IDENTIFYING, note="navn")

    assert hidden.id not in {doc.id for doc in round_documents(round_)}
    run = run_analysis(round_)
    assert run.quality["n_documents"] == 29
    themes = list_active_themes(round_)
    assert theme_of(hidden.id, themes) is None
    summaries = list_theme_summaries(round_, "", theme_figures(round_))
    quotes = [q for summary in summaries for q in summary.quotes]
    assert quotes
    assert hidden.body not in quotes


def test_a_name_repeated_by_one_author_never_reaches_labels_or_top_terms(db_session):
    name_texts = [f"Jens Hansen gør arbejdsdagen svær, nummer {n}." for n in "abcdef"]
    # One author alone writes the name six times; with six authors it would pass the rule.
    assert "jens hansen" in str(analyse(name_texts + STAFF_TEXTS, random_state=0).themes).lower()
    dialogue, round_, _, _ = make_analysed_world()
    writer = make_member(dialogue)
    add_texts(round_, name_texts, membership=writer)

    run_analysis(round_)

    for theme in list_active_themes(round_):
        shown = " ".join([theme.label, *theme.top_terms]).lower()
        assert "jens" not in shown
        assert "hansen" not in shown


def test_empty_round_is_refused_with_a_clear_message(db_session):
    round_ = make_round(make_dialogue())
    with pytest.raises(AnalysisRefused, match="no texts"):
        run_analysis(round_)
    assert Session.scalar(select(AnalysisRun).where(AnalysisRun.round_id == round_.id)) is None


@pytest.mark.parametrize(
    "texts",
    [
        STAFF_TEXTS[:5],
        ["Vi har for travlt."] * 12,
        ["Слишком много работы и стресса"] * 6 + ["工作太多，压力很大"] * 6,
        [("Travlhed og stress hver dag. " * 160)[:4000]] * 3 + STAFF_TEXTS[10:20],
    ],
    ids=["five texts", "identical", "other scripts", "very long"],
)
def test_awkward_rounds_give_a_sensible_run(db_session, texts):
    _, round_, _, contributions = make_analysed_world(texts)
    run = run_analysis(round_)
    themes = list_active_themes(round_)
    unassigned = {c.id for c in contributions} - set(placed(themes))
    assert run.quality["n_documents"] == len(texts)
    assert len(placed(themes)) + len(unassigned) == len(texts)
    assert all(len(theme.members) >= 5 for theme in themes)
