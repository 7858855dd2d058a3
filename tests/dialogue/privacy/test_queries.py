"""A participant's own copy of their input: what it holds, as JSON and as CSV."""

from __future__ import annotations

import json

from dialogue.core.db import Session
from dialogue.core.models import MemberCheck
from dialogue.core.models.membercheck import CheckAnswer
from dialogue.privacy import queries
from tests.dialogue.privacy.services.test_retention import author_of, small_dialogue
from tests.factories import make_contribution, make_member


def test_own_input_holds_exactly_the_participants_texts_and_answers(app_context):
    dialogue, member, round_, text = small_dialogue()
    other = make_member(dialogue)
    make_contribution(round_, other, "Someone else's")
    Session.add(MemberCheck(contribution_id=text.id, answer=CheckAnswer.PARTLY, comment="Delvist"))
    Session.flush()

    rows = queries.own_input(dialogue, author_of(member))

    assert [(row["text"], row["check_answer"], row["check_comment"]) for row in rows] == [
        ("Mere tid til faglig sparring", "partly", "Delvist")
    ]
    assert json.loads(queries.as_json(rows))["contributions"][0]["round"] == round_.position


def test_csv_keeps_formulas_as_text():
    rows = [
        {
            "round": 1,
            "round_title": "R",
            "written_on": "2026-12-01",
            "item": None,
            "text": "=HYPERLINK(1)",
            "answers": {"rating": 3},
            "check_answer": None,
            "check_comment": None,
        }
    ]
    text = queries.as_csv(rows).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    assert '"{""rating"": 3}"' in text
