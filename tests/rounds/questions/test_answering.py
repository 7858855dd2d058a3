"""Answering a round's extra questions: what is stored, replaced, refused, copied and erased."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Contribution, QuestionAnswer, RoundKind
from dialogue.privacy.queries import own_input
from dialogue.privacy.services.erasure import erase_own_input
from rounds import get_kind
from rounds.errors import RoundClosed, SubmissionRejected
from rounds.questions import answering
from rounds.questions.answering import answer_questions, field_name
from tests.factories import make_dialogue, make_round
from tests.rounds.factories import answer, author_of, make_item_round, participants
from tests.rounds.questions.factories import (
    MULTIPLE,
    SCALE,
    SINGLE,
    TEXT,
    add,
    close,
    give,
    stored_answers,
)


def test_answers_name_only_a_pseudonym_and_the_day(db_session):
    dialogue = make_dialogue()
    round_ = make_round(dialogue)
    single, multiple, scale, why = add(round_, SINGLE, MULTIPLE, SCALE, TEXT)
    (member,) = participants(dialogue, 1)
    assert give(round_, member, {single: "No", multiple: ["Mail", "Meetings"], scale: 4,
                                 why: "Fordi"}) == 4  # fmt: skip
    rows = Session.scalars(select(QuestionAnswer).where(QuestionAnswer.author == author_of(member)))
    rows = list(rows)
    assert len(rows) == 4  # one per option chosen, one for the scale
    assert {row.created_on for row in rows} == {utcnow().date()}
    columns = {column.name for column in QuestionAnswer.__table__.columns}
    assert columns == {"id", "question_id", "author", "option_id", "value", "created_on"}
    text_answer = Session.scalars(
        select(Contribution).where(Contribution.target == why.target)
    ).one()
    assert text_answer.body == "Fordi"
    assert text_answer.author == author_of(member)
    assert text_answer.data == {"aspect": "question"}
    own = answering.own_answers(round_, author_of(member))
    assert own[field_name(scale)] == "4"
    assert own[field_name(why)] == "Fordi"
    assert sorted(own[field_name(multiple)]) == sorted(str(o.id) for o in multiple.options[:2])


def test_answering_again_replaces_the_answer(db_session):
    dialogue = make_dialogue()
    round_ = make_round(dialogue)
    single, why = add(round_, SINGLE, TEXT)
    (member,) = participants(dialogue, 1)
    give(round_, member, {single: "Yes", why: "Først"})
    give(round_, member, {single: "No", why: ""})
    own = answering.own_answers(round_, author_of(member))
    assert own == {field_name(single): str(single.options[1].id)}
    assert Session.scalar(select(func.count()).where(Contribution.round_id == round_.id)) == 0


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"why": "Kun tekst"}, "Please answer this question."),
        ({"single": "Yes", "multiple": ["Mail", "Meetings", "Intranet"]}, "at most 2"),
        ({"single": "Yes", "scale": "6"}, "options offered"),
        ({"single": "Yes", "why": "x" * 41}, "40 characters"),
        ({"single": "foreign"}, "options offered"),
        ({"single": ["Yes", "No"]}, "options offered"),
    ],
)
def test_bad_answers_are_refused_and_change_nothing(db_session, values, message):
    dialogue = make_dialogue()
    round_ = make_round(dialogue)
    other = make_round(dialogue)
    (foreign,) = add(other, SINGLE)
    single, multiple, scale, why = add(round_, SINGLE, MULTIPLE, SCALE, TEXT)
    (member,) = participants(dialogue, 1)
    give(round_, member, {single: "Don't know", scale: 2})
    named = {"single": single, "multiple": multiple, "scale": scale, "why": why}
    raw = {}
    for name, value in values.items():
        question = named[name]
        labels = {o.label_en: str(o.id) for o in question.options}
        if value == "foreign":
            raw[field_name(question)] = str(foreign.options[0].id)
        elif isinstance(value, list):
            raw[field_name(question)] = [labels[v] for v in value]
        else:
            raw[field_name(question)] = labels.get(value, value)
    before = answering.own_answers(round_, author_of(member))
    with pytest.raises(SubmissionRejected, match=message):
        answer_questions(round_, author_of(member), raw, now=utcnow())
    assert answering.own_answers(round_, author_of(member)) == before


def test_unknown_questions_and_closed_rounds_are_refused(db_session):
    dialogue = make_dialogue()
    round_ = make_round(dialogue)
    (single,) = add(round_, SINGLE)
    (member,) = participants(dialogue, 1)
    with pytest.raises(SubmissionRejected):
        answer_questions(round_, author_of(member), {"q999999": "1"}, now=utcnow())
    close(round_)
    with pytest.raises(RoundClosed):
        give(round_, member, {single: "Yes"})
    assert stored_answers(round_) == 0


def test_the_kinds_own_input_leaves_text_answers_alone(db_session):
    dialogue = make_dialogue()
    round_ = make_item_round(dialogue, RoundKind.PRIORITISATION, method="rate")
    (why,) = add(round_, TEXT)
    (member,) = participants(dialogue, 1)
    give(round_, member, {why: "Fordi"})
    answer(round_, member, {"arbejdsmiljo": 4})
    answer(round_, member, {"arbejdsmiljo": 5})  # replacing the rating keeps the text answer
    assert answering.own_answers(round_, author_of(member)) == {field_name(why): "Fordi"}
    challenges = make_round(dialogue, RoundKind.CHALLENGES)
    (why_too,) = add(challenges, TEXT)
    give(challenges, member, {why_too: "Fordi også"})
    kind = get_kind(RoundKind.CHALLENGES)
    assert kind.analysis_texts(challenges) == []
    assert kind.results(challenges, None).comments == 0


def test_own_answers_are_in_the_participants_copy_and_erased_with_it(db_session):
    dialogue = make_dialogue()
    round_ = make_round(dialogue)
    single, why = add(round_, SINGLE, TEXT)
    me, other = participants(dialogue, 2)
    give(round_, me, {single: "Yes", why: "Min tekst"})
    give(round_, other, {single: "No"})
    copy = {row["item"]: row for row in own_input(dialogue, author_of(me))}
    assert copy[why.target]["text"] == "Min tekst"
    assert copy[single.target]["answers"]["chosen"] == ["Yes"]
    assert len(copy) == 2
    assert erase_own_input(dialogue, author_of(me)) == 2
    assert answering.own_answers(round_, author_of(me)) == {}
    assert stored_answers(round_) == 1
