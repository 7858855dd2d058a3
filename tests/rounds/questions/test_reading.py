"""Reading a round's extra questions: their text answers are themed apart from the kind's own."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dialogue.core.db import Session
from dialogue.core.models import Contribution, RoundKind
from rounds import get_kind
from rounds.errors import InvalidSettings
from rounds.theme_run.reading import list_active_themes
from rounds.theme_run.running import run_analysis
from tests.factories import make_contribution, make_dialogue, make_round
from tests.rounds.factories import participants
from tests.rounds.questions.factories import TEXT, add, close, give

ANSWERS = [
    "Mere tid til kollegerne",
    "Mere tid til borgerne",
    "Færre møder om ingenting",
    "Færre møder og mere ro",
    "Bedre IT-systemer i hverdagen",
    "Bedre IT-systemer og support",
    "Mere tid til faglig sparring",
    "Færre møder om eftermiddagen",
]


def test_text_answers_are_themed_apart_from_the_rounds_own_texts(db_session):
    dialogue = make_dialogue()
    round_ = make_round(dialogue, RoundKind.CHALLENGES)
    (why,) = add(round_, TEXT)
    members = participants(dialogue, len(ANSWERS))
    for member, text_answer in zip(members, ANSWERS, strict=True):
        make_contribution(round_, member, f"Udfordring: {text_answer.lower()}")
        give(round_, member, {why: text_answer[:40]})
    close(round_)
    kind = get_kind(RoundKind.CHALLENGES)
    assert [part for part, _label in kind.theme_parts(round_)] == ["", why.target]
    own = {body for _id, body in kind.analysis_texts(round_, "")}
    answers = {body for _id, body in kind.analysis_texts(round_, why.target)}
    assert own == {f"Udfordring: {a.lower()}" for a in ANSWERS}
    assert answers == {a[:40] for a in ANSWERS}
    everything = Session.scalar(
        select(func.count()).where(kind.analysis_condition(round_)).select_from(Contribution)
    )
    assert everything == 2 * len(ANSWERS)  # coverage counts both
    run_analysis(round_, part=why.target, actor_id=None, n_themes=2)
    themes = list_active_themes(round_, why.target)
    assert themes
    members_of = {m.contribution_id for theme in themes for m in theme.members}
    targets = Session.scalars(select(Contribution.target).where(Contribution.id.in_(members_of)))
    assert set(targets) == {why.target}
    assert list_active_themes(round_, "") == []


def test_an_item_key_cannot_pose_as_an_extra_questions_answer(app_context):
    with pytest.raises(InvalidSettings, match="question:1"):
        get_kind(RoundKind.PRIORITISATION).validate_settings(
            {"items": [{"key": "question:1", "label": "Snyd"}]}
        )
