"""Member checking: "is this what you meant?" on my input, the consultant's side, public counts."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from sqlalchemy import func, select

from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Dialogue, MemberCheck, Theme, ThemeEdit
from dialogue.core.models.membercheck import CheckAnswer
from dialogue.membercheck import services as checks
from dialogue.membercheck.queries import Confirmation, confirmation
from rounds.traceability import load_graph
from tests.conftest import csrf_from
from tests.dialogue.synthesis.views.test_reading import _final, _participant_login
from tests.factories import STAFF_PASSWORD
from tests.fuzz.test_forms import ANY_TEXT, FUZZ, assert_clean
from tests.logins import staff_login

CANARY = "Kanariefugl-kommentar-7731"


def _count() -> int:
    return Session.scalar(select(func.count()).select_from(MemberCheck))


def _answer(case, person, text, answer, comment=""):
    contribution = case.texts[text][0] if isinstance(text, str) else text
    return checks.answer_check(
        load_graph(case.dialogue), contribution, answer=answer, comment=comment
    )


# --- the service ---------------------------------------------------------------------------------


def test_one_answer_per_contribution_that_can_be_changed_and_reopens(case, request_context):
    _final(case)
    mine = case.texts["big"][0]
    first = _answer(case, case.people[0], mine, CheckAnswer.NO, "Det handlede om ledelse")
    first.response = "Flyttet til et andet tema"
    again = _answer(case, case.people[0], mine, CheckAnswer.PARTLY, "Det handlede om ledelse")
    assert again is first
    assert _count() == 1
    assert again.answer is CheckAnswer.PARTLY
    assert again.response is None  # a changed answer is a new question for the consultant
    same = _answer(case, case.people[0], mine, CheckAnswer.PARTLY, "Det handlede om ledelse")
    assert same.response is None
    assert _count() == 1


def test_input_with_no_condensation_cannot_be_checked(case, request_context):
    lonely = case.texts["lonely"][0]  # in no theme, linked to nothing
    with pytest.raises(checks.MemberCheckError):
        _answer(case, case.people[11], lonely, CheckAnswer.YES)
    hidden = case.texts["big"][1]
    hidden.moderation = hidden.moderation.HIDDEN
    with pytest.raises(checks.MemberCheckError):
        _answer(case, case.people[1], hidden, CheckAnswer.YES)
    assert _count() == 0


def test_confirmations_are_counted_per_person_and_suppressed_below_k(case, request_context):
    value = _final(case)
    # Person 0 wrote two texts in the theme: one "yes", one "no" – they count once, as not
    # confirmed. Persons 1–4 confirm, 5 and 6 do not.
    _answer(case, case.people[0], case.texts["big"][0], CheckAnswer.YES)
    _answer(case, case.people[0], case.texts["extra"][0], CheckAnswer.NO)
    for i in range(1, 5):
        _answer(case, case.people[i], case.texts["big"][i], CheckAnswer.YES)
    for i in (5, 6):
        _answer(case, case.people[i], case.texts["big"][i], CheckAnswer.PARTLY)
    graph = load_graph(case.dialogue)
    proposal = graph.proposals[value.id]
    case.dialogue.min_group_size = 3
    assert confirmation(graph, proposal, case.dialogue) == Confirmation(7, 4, 3)
    case.dialogue.min_group_size = 4
    # 3 not confirmed is hidden, and 4 confirmed with it: 7 − 4 would give the 3 away (A5).
    assert confirmation(graph, proposal, case.dialogue) == Confirmation(7, None, None)
    case.dialogue.min_group_size = 8
    assert confirmation(graph, proposal, case.dialogue) == Confirmation(None, None, None)


# --- the participant's pages ---------------------------------------------------------------------


def _post_answer(client, case, contribution, **data):
    slug = case.dialogue.slug
    csrf = csrf_from(client.get(f"/d/{slug}/my-input"))
    return client.post(
        f"/d/{slug}/my-input/{contribution.id}/check", data={"csrf_token": csrf, **data}
    )


def test_a_participant_answers_under_their_own_contribution(case, client):
    _final(case)
    _participant_login(client, case.people[0])
    page = client.get(f"/d/{case.dialogue.slug}/my-input").get_data(as_text=True)
    assert "Er det dette, du mente?" in page
    mine = case.texts["big"][0]
    response = _post_answer(client, case, mine, answer="partly", comment="Mest om ledelse")
    assert response.status_code == 303
    check = Session.scalar(select(MemberCheck))
    assert (check.contribution_id, check.answer, check.comment) == (
        mine.id,
        CheckAnswer.PARTLY,
        "Mest om ledelse",
    )
    page = client.get(f"/d/{case.dialogue.slug}/my-input").get_data(as_text=True)
    assert 'value="partly" checked' in page
    assert "Konsulenten ser på dit svar" in page


def test_an_answer_about_someone_elses_contribution_is_not_found(case, client):
    _final(case)
    _participant_login(client, case.people[0])
    theirs = case.texts["big"][1]
    response = _post_answer(client, case, theirs, answer="no", comment="Forfalsket")
    assert response.status_code == 404
    assert _count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"answer": "maybe"}, "Vælg en af mulighederne."),
        ({}, "Vælg ja, delvist eller nej."),
        ({"answer": "no", "comment": "x" * 1001}, "Skriv højst 1000 tegn."),
    ],
)
def test_bad_answers_are_refused_in_danish_and_store_nothing(case, client, data, message):
    _final(case)
    _participant_login(client, case.people[0])
    response = _post_answer(client, case, case.texts["big"][0], **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count() == 0


def test_an_answer_about_input_in_no_theme_is_refused(case, client):
    _final(case)
    _participant_login(client, case.people[11])
    response = _post_answer(client, case, case.texts["lonely"][0], answer="yes")
    assert response.status_code == 422
    assert "intet at tjekke" in response.get_data(as_text=True)
    assert _count() == 0


def test_the_comment_never_reaches_the_logs_or_the_audit_trail(case, client, caplog):
    _final(case)
    _participant_login(client, case.people[0])
    caplog.set_level(logging.DEBUG)
    mine = case.texts["big"][0]
    assert _post_answer(client, case, mine, answer="no", comment=CANARY).status_code == 303
    _login_consultant(client, case)
    _deal(client, case, mine, response="Vi har set på det")
    assert CANARY not in caplog.text
    for event in Session.scalars(select(AuditEvent)):
        assert CANARY not in f"{event.subject} {event.details}"


# --- the consultant -----------------------------------------------------------------------------


def _login_consultant(client, case):
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/"))})
    assert staff_login(client, case.consultant.person.email, STAFF_PASSWORD).status_code == 302


def _deal(client, case, contribution, **data):
    slug = case.dialogue.slug
    csrf = csrf_from(client.get(f"/d/{slug}/member-checks/"))
    return client.post(
        f"/d/{slug}/member-checks/{contribution.id}/deal", data={"csrf_token": csrf, **data}
    )


def test_the_consultant_sees_answers_per_theme_but_never_who(case, client):
    _final(case)
    _answer(case, case.people[0], case.texts["big"][0], CheckAnswer.NO, "Det var om ledelse")
    _answer(case, case.people[1], case.texts["big"][1], CheckAnswer.YES)
    _login_consultant(client, case)
    response = client.get(f"/d/{case.dialogue.slug}/member-checks/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Arbejdsmiljø" in page
    assert "Det var om ledelse" in page
    assert case.texts["big"][0].body in page  # the contested text, to act on
    for person in case.people:
        assert person.person.email not in page
        assert person.person.name not in page


def test_management_does_not_see_the_answers(case, client):
    assert staff_login(client, case.management.person.email, STAFF_PASSWORD).status_code == 302
    assert client.get(f"/d/{case.dialogue.slug}/member-checks/").status_code == 403


def test_dealing_with_an_answer_moves_the_contribution_and_tells_the_participant(case, client):
    _final(case)
    mine = case.texts["big"][0]
    _participant_login(client, case.people[0])
    assert _post_answer(client, case, mine, answer="no", comment="Om parkering").status_code == 303
    _login_consultant(client, case)
    small = case.themes["small"]
    response = _deal(client, case, mine, move_to=str(small.id), response="Flyttet til Parkering")
    assert response.status_code == 303
    assert mine.id in {m.contribution_id for m in Session.get(Theme, small.id).members}
    assert Session.scalar(select(ThemeEdit).where(ThemeEdit.action == "move")) is not None
    event = Session.scalar(select(AuditEvent).where(AuditEvent.action.like("member_check%")))
    assert event.subject == f"contribution:{mine.id}"
    _participant_login(client, case.people[0])
    page = client.get(f"/d/{case.dialogue.slug}/my-input").get_data(as_text=True)
    assert "Dit bidrag blev behandlet: Flyttet til Parkering" in page


def test_refused_dealings_change_nothing(case, client):
    _final(case)
    agreed = case.texts["big"][1]
    contested = case.texts["big"][0]
    _answer(case, case.people[1], agreed, CheckAnswer.YES)
    _answer(case, case.people[0], contested, CheckAnswer.NO)
    _login_consultant(client, case)
    assert _deal(client, case, agreed, response="Intet at gøre").status_code == 422
    assert _deal(client, case, contested, response="").status_code == 422
    assert _deal(client, case, contested, response="x" * 1001).status_code == 422
    unknown = case.texts["lonely"][0]  # nobody answered about it
    assert _deal(client, case, unknown, response="Hvad?").status_code == 404
    assert _deal(client, case, contested, move_to="999999", response="Flyt").status_code == 404
    assert all(check.response is None for check in Session.scalars(select(MemberCheck)))


def test_the_consultant_rewords_a_theme_through_the_workbench_edit(case, client):
    _login_consultant(client, case)
    slug, theme = case.dialogue.slug, case.themes["big"]
    csrf = csrf_from(client.get(f"/d/{slug}/member-checks/"))
    url = f"/d/{slug}/member-checks/themes/{theme.id}/rename"
    assert client.post(url, data={"csrf_token": csrf, "label": " "}).status_code == 422
    assert client.post(url, data={"csrf_token": csrf, "label": "Trivsel"}).status_code == 303
    assert Session.get(Theme, theme.id).label == "Trivsel"
    assert Session.scalar(select(ThemeEdit).where(ThemeEdit.action == "rename")) is not None


# --- public counts -------------------------------------------------------------------------------


def test_the_public_value_page_shows_confirmations_only_from_k(case, client):
    value = _final(case)
    slug = case.dialogue.slug
    page = client.get(f"/p/{slug}/values/{value.id}").get_data(as_text=True)
    assert "For få bidragydere har tjekket endnu" in page
    for i in range(9):
        answer = CheckAnswer.YES if i < 6 else CheckAnswer.NO
        _answer(case, case.people[i], case.texts["big"][i], answer)
    page = client.get(f"/p/{slug}/values/{value.id}").get_data(as_text=True)
    assert "9 bidragydere, hvis input indgår i temaerne bag denne værdi, har tjekket" in page
    assert "Grupperne er for små" in page  # 3 against would show 6 − 9 = 3 (k = 5)
    Session.get(Dialogue, case.dialogue.id).min_group_size = 3
    page = client.get(f"/p/{slug}/values/{value.id}").get_data(as_text=True)
    # They judged the theme their text was placed in, and the page says so, not the value.
    assert "6 bekræftede, at temaet ramte, hvad de mente." in page
    assert "3 fandt, at temaet kun delvist eller slet ikke ramte." in page
    assert "ikke om ordlyden af denne værdi" in page


@FUZZ
@given(comment=ANY_TEXT)
def test_any_comment_is_stored_clean_or_refused_never_a_500(case, client, comment):
    _final(case)
    _participant_login(client, case.people[0])
    mine = case.texts["big"][0]
    before = Session.scalar(select(MemberCheck.comment))
    response = _post_answer(client, case, mine, answer="partly", comment=comment)
    assert response.status_code == (303 if len(comment) <= 1000 else 422)
    Session.expire_all()
    stored = Session.scalar(select(MemberCheck.comment))
    if response.status_code == 303:
        assert_clean(stored, comment)
    else:
        assert stored == before
