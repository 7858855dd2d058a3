"""Extra questions of a round: setting up, locking, answering and theming their text answers."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import (
    Contribution,
    QuestionAnswer,
    QuestionType,
    RoundKind,
    RoundQuestion,
)
from dialogue.privacy.queries import own_input
from dialogue.privacy.services.erasure import erase_own_input
from rounds import get_kind
from rounds.errors import InvalidSettings, RoundClosed, SubmissionRejected
from rounds.questions import answering, reading, setup
from rounds.questions.answering import answer_questions, field_name
from rounds.questions.setup import QuestionsLocked, QuestionSpec
from rounds.theme_run import list_active_themes, run_analysis
from tests.factories import make_contribution, make_dialogue, make_round
from tests.rounds.factories import answer, author_of, make_item_round, participants

SINGLE = QuestionSpec(
    QuestionType.SINGLE, "Bruger du intranettet?", "Do you use the intranet?",
    required=True, options=[("Ja", "Yes"), ("Nej", "No"), ("Ved ikke", "Don't know")],
)  # fmt: skip
MULTIPLE = QuestionSpec(
    QuestionType.MULTIPLE, "Hvilke kanaler?", "Which channels?", maximum=2,
    options=[("Mail", "Mail"), ("Møder", "Meetings"), ("Intranet", "Intranet")],
)  # fmt: skip
SCALE = QuestionSpec(QuestionType.SCALE, "Hvor tilfreds?", "How satisfied?")
TEXT = QuestionSpec(QuestionType.TEXT, "Hvorfor?", "Why?", maximum=40)
AGE = QuestionSpec(QuestionType.BACKGROUND, "", "", band_set="age")
SENIORITY = QuestionSpec(QuestionType.BACKGROUND, "", "", band_set="seniority")


def add(round_, *specs):
    return [setup.add_question(round_, spec, actor_id=None) for spec in specs]


def close(round_):
    now = utcnow()
    round_.opens_at, round_.closes_at = now - dt.timedelta(days=8), now - dt.timedelta(days=1)
    Session.flush()


def give(round_, member, values, now=None):
    """Answer with ``values`` keyed by question: an option label (English), a list, a value."""
    raw = {}
    for question, value in values.items():
        by_label = {o.label_en: str(o.id) for o in question.options}
        if isinstance(value, list):
            raw[field_name(question)] = [by_label[v] for v in value]
        elif question.options:
            raw[field_name(question)] = by_label[value]
        else:
            raw[field_name(question)] = str(value)
    return answer_questions(round_, author_of(member), raw, now=now or utcnow())


def stored_answers(round_):
    return Session.scalar(
        select(func.count())
        .select_from(QuestionAnswer)
        .join(RoundQuestion)
        .where(RoundQuestion.round_id == round_.id)
    )


# --- setting up -----------------------------------------------------------------------------


def test_questions_keep_their_order_texts_and_options(db_session):
    round_ = make_round(make_dialogue())
    single, multiple, scale, text_question, age = add(round_, SINGLE, MULTIPLE, SCALE, TEXT, AGE)
    assert reading.questions_of(round_) == [single, multiple, scale, text_question, age]
    assert [o.label("da") for o in single.options] == ["Ja", "Nej", "Ved ikke"]
    assert single.text("en") == "Do you use the intranet?"
    assert single.required
    setup.move_question(age, -1, actor_id=None)
    assert reading.questions_of(round_)[3] is age
    setup.delete_question(scale, actor_id=None)
    assert scale not in reading.questions_of(round_)


def test_background_questions_offer_only_their_bands_and_are_never_required(db_session):
    round_ = make_round(make_dialogue())
    spec = QuestionSpec(
        QuestionType.BACKGROUND, "", "", required=True, options=[("37", "37")], band_set="age"
    )
    (age,) = add(round_, spec)
    assert not age.required
    assert [o.label_en for o in age.options] == ["Under 30", "30–44", "45–59", "60 or over"]
    assert age.text("da") == "Hvor gammel er du?"
    with pytest.raises(InvalidSettings) as refused:
        add(round_, QuestionSpec(QuestionType.BACKGROUND, "Alder", "Age", band_set="years"))
    assert refused.value.field == "band_set"


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (QuestionSpec(QuestionType.SCALE, "Hvor tilfreds?", ""), "text_da"),
        (QuestionSpec(QuestionType.SCALE, "x" * 501, "y"), "text_da"),
        (QuestionSpec(QuestionType.SINGLE, "Ja?", "Yes?", options=[("Ja", "Yes")]), "options"),
        (QuestionSpec(QuestionType.SINGLE, "Ja?", "Yes?", options=[("Ja", ""), ("Nej", "No")]),
         "options"),
        (QuestionSpec(QuestionType.SINGLE, "Ja?", "Yes?", options=[("Ja", "Yes"), ("ja", "Y")]),
         "options"),
        (QuestionSpec(QuestionType.MULTIPLE, "Ja?", "Yes?", maximum=3,
                      options=[("Ja", "Yes"), ("Nej", "No")]), "maximum"),
        (QuestionSpec(QuestionType.TEXT, "Hvorfor?", "Why?", maximum=5), "maximum"),
        (QuestionSpec(QuestionType.TEXT, "Hvorfor?", "Why?", maximum=100_000), "maximum"),
    ],
)  # fmt: skip
def test_a_broken_question_is_refused_and_nothing_is_added(db_session, spec, field):
    round_ = make_round(make_dialogue())
    with pytest.raises(InvalidSettings) as refused:
        add(round_, spec)
    assert refused.value.field == field
    assert reading.questions_of(round_) == []


@pytest.mark.parametrize("first", ["contribution", "answer"])
def test_questions_are_locked_once_the_round_has_input(db_session, first):
    dialogue = make_dialogue()
    round_ = make_round(dialogue)
    single, scale = add(round_, SINGLE, SCALE)
    (member,) = participants(dialogue, 1)
    if first == "contribution":
        make_contribution(round_, member, "En udfordring")
    else:
        give(round_, member, {single: "Yes"})
    for change in (
        lambda: add(round_, TEXT),
        lambda: setup.update_question(scale, TEXT, actor_id=None),
        lambda: setup.delete_question(scale, actor_id=None),
        lambda: setup.move_question(scale, -1, actor_id=None),
    ):
        with pytest.raises(QuestionsLocked):
            change()
    assert reading.questions_of(round_) == [single, scale]
    assert scale.type is QuestionType.SCALE


# --- answering ------------------------------------------------------------------------------


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


# --- theming --------------------------------------------------------------------------------

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
