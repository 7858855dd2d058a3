"""Setting up a round's extra questions: order, texts, options, checks, the lock once answered."""

from __future__ import annotations

import pytest

from dialogue.core.models import QuestionType
from rounds.errors import InvalidSettings
from rounds.questions import reading, setup
from rounds.questions.setup import QuestionsLocked, QuestionSpec
from tests.factories import make_contribution, make_dialogue, make_round
from tests.rounds.factories import participants
from tests.rounds.questions.factories import AGE, MULTIPLE, SCALE, SINGLE, TEXT, add, give


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
