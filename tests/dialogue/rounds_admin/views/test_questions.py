"""Extra questions through the pages: staff set them up, participants answer, results show them."""

from __future__ import annotations

import datetime as dt
import html
import re

from sqlalchemy import func, select

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import QuestionAnswer, QuestionType, Role, RoundQuestion
from rounds.questions import answering, reading, setup
from rounds.questions.answering import field_name
from rounds.questions.setup import QuestionSpec
from tests.conftest import csrf_from
from tests.dialogue.participate.views.test_rounds import log_in_participant
from tests.factories import (
    STAFF_PASSWORD,
    make_contribution,
    make_dialogue,
    make_member,
    make_round,
)
from tests.logins import staff_login
from tests.rounds.factories import author_of, participants

SINGLE = QuestionSpec(
    QuestionType.SINGLE, "Bruger du intranettet?", "Do you use the intranet?",
    required=True, options=[("Ja", "Yes"), ("Nej", "No")],
)  # fmt: skip
AGE = QuestionSpec(QuestionType.BACKGROUND, "", "", band_set="age")


def questions_url(dialogue, round_):
    return f"/d/{dialogue.slug}/manage/rounds/{round_.id}/questions"


def log_in_staff(client, dialogue, role=Role.ADMIN):
    member = make_member(dialogue, role)
    assert staff_login(client, member.person.email, STAFF_PASSWORD).status_code == 302
    return member


def count_questions(round_):
    return Session.scalar(
        select(func.count()).select_from(RoundQuestion).where(RoundQuestion.round_id == round_.id)
    )


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


def test_admin_adds_edits_and_removes_a_question(client):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue)
    log_in_staff(client, dialogue)
    page = client.get(questions_url(dialogue, round_))
    assert page.status_code == 200
    response = client.post(
        questions_url(dialogue, round_),
        data={
            "csrf_token": csrf_from(page),
            "type": "multiple",
            "text_da": "Hvilke kanaler bruger du?",
            "text_en": "Which channels do you use?",
            "maximum": "2",
            "options": "Mail | Mail\nMøder | Meetings\n\nIntranet | Intranet",
            "band_set": "",
        },
    )
    assert response.status_code == 303
    (question,) = reading.questions_of(round_)
    assert question.type is QuestionType.MULTIPLE
    assert question.maximum == 2
    assert [o.label_da for o in question.options] == ["Mail", "Møder", "Intranet"]
    edit_url = f"/d/{dialogue.slug}/manage/rounds/questions/{question.id}/edit"
    edit_page = client.get(edit_url)
    assert "Møder | Meetings" in text_of(edit_page)
    response = client.post(
        edit_url,
        data={"csrf_token": csrf_from(edit_page), "type": "background", "band_set": "seniority"},
    )
    assert response.status_code == 303
    (question,) = reading.questions_of(round_)
    assert question.type is QuestionType.BACKGROUND
    assert question.options[0].label_en == "Under 2 years"
    listing = text_of(client.get(questions_url(dialogue, round_)))
    assert "How long have you been in the organisation?" in listing
    response = client.post(
        f"/d/{dialogue.slug}/manage/rounds/questions/{question.id}/delete",
        data={"csrf_token": csrf_from(page)},
    )
    assert response.status_code == 303
    assert count_questions(round_) == 0


def test_bad_questions_are_refused_with_a_message_and_nothing_changes(client):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue)
    log_in_staff(client, dialogue)
    csrf = csrf_from(client.get(questions_url(dialogue, round_)))
    cases = [
        ({"type": "single", "text_da": "Ja?", "text_en": "", "options": "Ja | Yes\nNej | No"},
         "both Danish and English"),
        ({"type": "single", "text_da": "Ja?", "text_en": "Yes?", "options": "Ja\nNej"},
         "a Danish and an English text"),
        ({"type": "text", "text_da": "Hvorfor?", "text_en": "Why?", "maximum": "many"},
         "Please enter a number."),
        ({"type": "text", "text_da": "Hvorfor?", "text_en": "Why?", "maximum": "3"},
         "between 20 and 2000 characters"),
        ({"type": "age", "text_da": "Alder", "text_en": "Age"}, "Choose one of the types."),
        ({"type": "background", "band_set": "exact-age"}, "Choose one of the band sets."),
    ]  # fmt: skip
    for data, message in cases:
        response = client.post(questions_url(dialogue, round_), data={"csrf_token": csrf, **data})
        assert response.status_code == 422, data
        assert message in text_of(response), data
    assert count_questions(round_) == 0


def test_questions_are_locked_once_the_round_has_input(client):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue)
    (question,) = [setup.add_question(round_, SINGLE, actor_id=None)]
    (member,) = participants(dialogue, 1)
    make_contribution(round_, member, "En udfordring")
    log_in_staff(client, dialogue)
    page = client.get(questions_url(dialogue, round_))
    assert "can no longer change" in text_of(page)
    assert 'name="text_da"' not in page.get_data(as_text=True)
    csrf = csrf_from(page)
    base = f"/d/{dialogue.slug}/manage/rounds/questions/{question.id}"
    add = {"csrf_token": csrf, "type": "scale", "text_da": "Hvor?", "text_en": "How?"}
    for url, data in (
        (questions_url(dialogue, round_), add),
        (f"{base}/edit", add),
        (f"{base}/delete", {"csrf_token": csrf}),
        (f"{base}/move", {"csrf_token": csrf, "direction": "down"}),
    ):
        response = client.post(url, data=data)
        assert response.status_code == 409, url
        assert "can no longer change" in text_of(response)
    assert [(q.id, q.type) for q in reading.questions_of(round_)] == [
        (question.id, QuestionType.SINGLE)
    ]


def test_another_dialogues_question_is_not_found(client):
    dialogue = make_dialogue(language="en")
    question = setup.add_question(make_round(make_dialogue()), SINGLE, actor_id=None)
    log_in_staff(client, dialogue)
    url = f"/d/{dialogue.slug}/manage/rounds/questions/{question.id}/edit"
    assert client.get(url).status_code == 404


def round_url(dialogue, round_):
    return f"/d/{dialogue.slug}/rounds/{round_.id}/"


def test_participant_answers_in_fieldsets_in_their_language(client):
    dialogue = make_dialogue(language="da")
    round_ = make_round(dialogue)
    single = setup.add_question(round_, SINGLE, actor_id=None)
    age = setup.add_question(round_, AGE, actor_id=None)
    member = make_member(dialogue)
    log_in_participant(client, member)
    page = client.get(round_url(dialogue, round_))
    body = text_of(page)
    assert "Flere spørgsmål" in body
    assert re.search(r"<legend>Bruger du intranettet\? \(påkrævet\)</legend>", body)
    assert "<legend>Hvor gammel er du?</legend>" in body
    assert 'type="radio" name="q' in body
    yes, band = single.options[0], age.options[1]
    response = client.post(
        f"{round_url(dialogue, round_)}questions",
        data={"csrf_token": csrf_from(page), field_name(single): str(yes.id),
              field_name(age): str(band.id)},
    )  # fmt: skip
    assert response.status_code == 303
    rows = Session.scalars(select(QuestionAnswer.option_id)).all()
    assert sorted(rows) == sorted([yes.id, band.id])
    again = text_of(client.get(round_url(dialogue, round_)))
    assert re.search(rf'value="{yes.id}"\s+checked', again)


def test_bad_answers_get_a_message_and_change_nothing(client):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue)
    single = setup.add_question(round_, SINGLE, actor_id=None)
    scale = setup.add_question(
        round_, QuestionSpec(QuestionType.SCALE, "Hvor?", "How much?"), actor_id=None
    )
    member = make_member(dialogue)
    log_in_participant(client, member)
    csrf = csrf_from(client.get(round_url(dialogue, round_)))
    url = f"{round_url(dialogue, round_)}questions"
    for data, message in (
        ({field_name(scale): "3"}, "Please answer this question."),
        ({field_name(single): "999999"}, "Please choose one of the options offered."),
        ({field_name(single): str(single.options[0].id), field_name(scale): "9"},
         "Please choose one of the options offered."),
    ):  # fmt: skip
        response = client.post(url, data={"csrf_token": csrf, **data})
        assert response.status_code == 422
        assert message in text_of(response)
    assert Session.scalar(select(func.count()).select_from(QuestionAnswer)) == 0


def test_a_round_without_questions_has_no_questions_form(client):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue)
    member = make_member(dialogue)
    log_in_participant(client, member)
    csrf = csrf_from(client.get(round_url(dialogue, round_)))
    response = client.post(f"{round_url(dialogue, round_)}questions", data={"csrf_token": csrf})
    assert response.status_code == 404


def test_results_show_counts_and_bands_to_staff_and_counts_to_the_public(client):
    dialogue = make_dialogue(language="en", min_group_size=5, is_public=True)
    round_ = make_round(dialogue)
    single = setup.add_question(round_, SINGLE, actor_id=None)
    age = setup.add_question(round_, AGE, actor_id=None)
    now = utcnow()
    for index, member in enumerate(participants(dialogue, 12)):
        raw = {
            field_name(single): str(single.options[index % 2].id),
            field_name(age): str(age.options[0 if index < 6 else 2].id),
        }
        answering.answer_questions(round_, author_of(member), raw, now=now)
    round_.opens_at, round_.closes_at = now - dt.timedelta(days=8), now - dt.timedelta(days=1)
    round_.is_published = True
    Session.flush()
    log_in_staff(client, dialogue, Role.CONSULTANT)
    page = text_of(client.get(f"/d/{dialogue.slug}/rounds/{round_.id}/results/"))
    assert "Do you use the intranet? · by How old are you?" in page
    assert re.search(r"<th scope=\"row\">Yes</th><td class=\"num\">6</td>", page)
    public = text_of(client.get(f"/p/{dialogue.slug}/"))
    assert re.search(r"<th scope=\"row\">Yes</th><td class=\"num\">6</td>", public)
    assert "by How old are you?" not in public


def test_my_input_shows_a_text_answer_under_its_question(client):
    dialogue = make_dialogue(language="en")
    round_ = make_round(dialogue)
    why = setup.add_question(
        round_, QuestionSpec(QuestionType.TEXT, "Hvorfor?", "Why do you say so?"), actor_id=None
    )
    member = make_member(dialogue)
    answering.answer_questions(
        round_, author_of(member), {field_name(why): "Fordi det er vigtigt"}, now=utcnow()
    )
    log_in_participant(client, member)
    page = text_of(client.get(f"/d/{dialogue.slug}/my-input"))
    assert "Why do you say so?" in page
    assert "Fordi det er vigtigt" in page
    assert "question:" not in page
