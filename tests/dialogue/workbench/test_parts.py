"""Every free-text part of a round is themed on its own, with round 1's edits, undo and history.

Culture's strengths apart from its weaknesses, a consultation's comments per draft value.
"""

import datetime as dt

import pytest
from sqlalchemy import select

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Role, RoundKind, ThemeEdit
from dialogue.workbench.services import edits
from dialogue.workbench.services.edits import WorkbenchError
from rounds.theme_run.reading import list_active_themes, theme_parts
from rounds.theme_run.running import AnalysisRefused, run_analysis
from tests.dialogue.workbench.corpus import STAFF_TEXTS
from tests.dialogue.workbench.test_views import log_in, post
from tests.factories import make_dialogue, make_member
from tests.rounds.factories import ITEMS, author_of, make_item_round

#: Strengths share ten texts with the weaknesses, so mixing the parts would be easy.
STRENGTHS, WEAKNESSES = STAFF_TEXTS[:20], STAFF_TEXTS[10:]


def closed_item_round(kind):
    dialogue = make_dialogue(language="en")
    now = utcnow()
    round_ = make_item_round(dialogue, kind)
    round_.opens_at, round_.closes_at = now - dt.timedelta(days=8), now - dt.timedelta(days=1)
    return dialogue, round_, make_member(dialogue, Role.CONSULTANT)


def add_text(round_, body, *, target, data=None):
    author = author_of(make_member(round_.dialogue))
    row = Contribution(
        round=round_, author=author, body=body, target=target, data=data, created_on=utcnow().date()
    )
    Session.add(row)
    return row


@pytest.fixture
def culture(db_session):
    dialogue, round_, consultant = closed_item_round(RoundKind.CULTURE)
    for aspect, texts in (("strength", STRENGTHS), ("weakness", WEAKNESSES)):
        for number, text in enumerate(texts):
            add_text(round_, text, target=ITEMS[number % 4]["key"], data={"aspect": aspect})
    Session.flush()
    return dialogue, round_, consultant


def aspects_of(theme):
    ids = [member.contribution_id for member in theme.members]
    rows = Session.scalars(select(Contribution.data).where(Contribution.id.in_(ids)))
    return {data["aspect"] for data in rows}


def test_strengths_and_weaknesses_are_themed_apart(culture):
    _dialogue, round_, consultant = culture
    assert [part for part, _label in theme_parts(round_)] == ["strength", "weakness"]
    run_analysis(round_, part="strength", actor_id=consultant.person_id, n_themes=2)
    strengths = list_active_themes(round_, "strength")
    assert strengths
    assert all(aspects_of(theme) == {"strength"} for theme in strengths)
    assert sum(len(theme.members) for theme in strengths) <= len(STRENGTHS)
    assert list_active_themes(round_, "weakness") == []

    run_analysis(round_, part="weakness", actor_id=consultant.person_id, n_themes=2)
    weaknesses = list_active_themes(round_, "weakness")
    assert all(aspects_of(theme) == {"weakness"} for theme in weaknesses)
    # A new run of the weaknesses leaves the strengths' themes as they were.
    assert list_active_themes(round_, "strength") == strengths


def test_a_round_without_the_part_refuses_to_run(culture):
    _dialogue, round_, consultant = culture
    with pytest.raises(AnalysisRefused):
        run_analysis(round_, part="", actor_id=consultant.person_id)
    with pytest.raises(AnalysisRefused):
        run_analysis(round_, part="opportunity", actor_id=consultant.person_id)


def test_edits_stay_in_their_part_and_undo_goes_part_by_part(culture):
    _dialogue, round_, consultant = culture
    actor = consultant.person_id
    run_analysis(round_, part="strength", actor_id=actor, n_themes=2)
    run_analysis(round_, part="weakness", actor_id=actor, n_themes=2)
    strength, weakness = (
        list_active_themes(round_, "strength")[0],
        list_active_themes(round_, "weakness")[0],
    )

    with pytest.raises(WorkbenchError):
        edits.merge_themes(round_, [weakness], strength, actor_id=actor)
    assert aspects_of(strength) == {"strength"}
    weak_text = weakness.members[0].contribution_id
    with pytest.raises(WorkbenchError):  # a weakness never lands in a theme of strengths
        edits.move_contributions(round_, [weak_text], strength, actor_id=actor)

    edits.rename_theme(strength, label="Vi hjælper hinanden", actor_id=actor)
    edits.rename_theme(weakness, label="Vi siger for sjældent fra", actor_id=actor)
    undone = edits.undo_last_edit(round_, part="strength", actor_id=actor)
    assert undone.part == "strength"
    assert strength.label != "Vi hjælper hinanden"
    assert weakness.label == "Vi siger for sjældent fra"
    parts = Session.scalars(select(ThemeEdit.part).where(ThemeEdit.round_id == round_.id))
    assert set(parts) == {"strength", "weakness"}


def test_consultation_comments_are_themed_per_draft_value(db_session):
    _dialogue, round_, consultant = closed_item_round(RoundKind.CONSULTATION)
    for number, text in enumerate(STAFF_TEXTS):
        add_text(round_, text, target=ITEMS[number % 2]["key"], data={"rating": 4})
    add_text(round_, None, target=ITEMS[0]["key"], data={"rating": 2})  # a rating, no comment
    Session.flush()
    assert [part for part, _label in theme_parts(round_)] == [item["key"] for item in ITEMS]
    run = run_analysis(round_, part=ITEMS[0]["key"], actor_id=consultant.person_id, n_themes=2)
    assert run.quality["n_documents"] == 15
    targets = {
        Session.get(Contribution, member.contribution_id).target
        for theme in list_active_themes(round_, ITEMS[0]["key"])
        for member in theme.members
    }
    assert targets == {ITEMS[0]["key"]}


def test_the_workbench_shows_each_part_at_its_own_address(client, culture):
    dialogue, round_, consultant = culture
    log_in(client, consultant)
    base = f"/d/{dialogue.slug}/workbench/rounds/{round_.id}/"
    first = client.get(base).get_data(as_text=True)  # the plain address shows the first part
    assert 'aria-current="page"><strong>A strength of our culture</strong>' in first
    assert f'action="{base}parts/strength/run"' in first
    assert client.get(f"{base}parts/opportunity/").status_code == 404

    page = f"{base}parts/weakness/"
    html = post(client, page, f"{page}run", seed="0", n_themes="2").get_data(as_text=True)
    assert "The analysis found 2 themes." in html
    assert 'aria-current="page"><strong>A weakness</strong>' in html
    assert f'action="{page}merge"' in html  # the page's forms stay in its part
    assert list_active_themes(round_, "strength") == []
    assert len(list_active_themes(round_, "weakness")) == 2
    unassigned = client.get(f"{page}unassigned").get_data(as_text=True)
    assert STRENGTHS[0] not in unassigned
