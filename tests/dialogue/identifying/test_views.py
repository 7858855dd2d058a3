"""Identifying details: warned at submission, flagged, masked on the way out, and redacted."""

import datetime as dt
import html
import json
import re

import sqlalchemy as sa
from sqlalchemy import select

from dialogue.core.clock import utcnow
from dialogue.core.db import Base, Session
from dialogue.core.models import (
    Contribution,
    IdentifyingSpan,
    Membership,
    Redaction,
    Role,
    RoundKind,
    RoundResultsCache,
)
from dialogue.synthesis.queries.coverage import coverage
from dialogue.synthesis.queries.exports import build_export
from dialogue.workbench.queries.figures import theme_figures
from rounds.identifying import masked_text
from rounds.redaction import flagged_in_round, redact
from rounds.theme_run.reading import round_documents
from rounds.traceability import load_graph
from tests.conftest import csrf_from, end_test_sessions
from tests.dialogue.participate.views.test_rounds import (
    count_contributions,
    form_fields,
    log_in_participant,
    round_url,
    submit,
)
from tests.factories import (
    STAFF_PASSWORD,
    make_contribution,
    make_dialogue,
    make_member,
    make_round,
)
from tests.logins import staff_login
from tests.rounds.factories import make_item_round

PHONE = "22 33 44 55"
HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def setup(client, language="da"):
    dialogue = make_dialogue(language=language)
    participant = make_member(dialogue)
    colleague = make_member(dialogue)
    colleague.person.name = "Mark Dam"
    round_ = make_round(dialogue)
    Session.flush()
    log_in_participant(client, participant)
    return dialogue, participant, round_


def warning_form(page) -> dict[str, str]:
    """The fields of the "save it as it is" form inside the warning."""
    text = page.get_data(as_text=True)
    block = text[text.index('id="identifying-warning"') :]
    block = block[: block.index("</form>")]
    return {name: html.unescape(value) for name, value in HIDDEN_INPUT.findall(block)}


def stored_spans(round_):
    return Session.execute(
        select(IdentifyingSpan.kind, IdentifyingSpan.span_start, IdentifyingSpan.span_end)
        .join(Contribution)
        .where(Contribution.round_id == round_.id)
    ).all()


def test_identifying_text_is_warned_about_and_kept_without_saving(client):
    dialogue, _, round_ = setup(client)
    response = submit(client, dialogue, round_, f"Ring til mig på {PHONE}, hilsen Mark Dam")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="identifying-warning"' in page
    assert f"<mark>{PHONE}</mark>" in page
    assert "<mark>Mark Dam</mark>" in page
    assert "telefonnummer" in page.lower()  # the dialogue speaks Danish
    assert f"Ring til mig på {PHONE}, hilsen Mark Dam</textarea>" in page  # kept to edit
    assert count_contributions(round_) == 0


def test_saving_anyway_stores_the_text_and_flags_the_details(client):
    dialogue, _, round_ = setup(client)
    text = f"Ring til mig på {PHONE}"
    fields = warning_form(submit(client, dialogue, round_, text))
    assert fields["identifying_ok"] == "1"
    assert fields["body"] == text
    response = client.post(f"/d/{dialogue.slug}/rounds/{round_.id}/contributions", data=fields)
    assert response.status_code == 303
    assert count_contributions(round_) == 1
    assert stored_spans(round_) == [("phone", 16, 27)]


def test_an_edited_text_without_details_is_saved_without_a_second_warning(client):
    dialogue, _, round_ = setup(client)
    fields = form_fields(client.get(round_url(dialogue, round_)))
    assert submit(client, dialogue, round_, f"Ring {PHONE}", fields).status_code == 422
    response = submit(client, dialogue, round_, "Ring til mig", fields)
    assert response.status_code == 303
    assert count_contributions(round_) == 1
    assert stored_spans(round_) == []


def test_common_words_that_are_names_do_not_warn(client):
    dialogue, _, round_ = setup(client)
    response = submit(client, dialogue, round_, "Vi bor ved en dam, mark og skov")
    assert response.status_code == 303
    assert stored_spans(round_) == []


def test_editing_a_contribution_warns_too(client):
    dialogue, participant, round_ = setup(client)
    contribution = make_contribution(round_, participant, "Første udkast")
    url = f"/d/{dialogue.slug}/contributions/{contribution.id}/edit"
    page = client.get(url)
    response = client.post(
        url, data={"csrf_token": csrf_from(page), "body": "Skriv til mig@example.org"}
    )
    assert response.status_code == 422
    assert "<mark>mig@example.org</mark>" in response.get_data(as_text=True)
    assert Session.get(Contribution, contribution.id).body == "Første udkast"
    fields = warning_form(response)
    assert client.post(url, data=fields).status_code == 303
    assert stored_spans(round_) == [("email", 10, 25)]


def test_text_written_by_any_path_is_flagged(db_session):
    dialogue = make_dialogue()
    member = make_member(dialogue)
    round_ = make_round(dialogue)
    contribution = make_contribution(round_, member, "cpr 010190-1234 og 320190-1234")
    assert stored_spans(round_) == [("cpr", 4, 15)]  # the second has no valid date
    contribution.body = "nu uden detaljer"
    Session.flush()
    assert stored_spans(round_) == []


def warned_names(response) -> list[str]:
    """The details marked in the warning."""
    text = response.get_data(as_text=True)
    block = text[text.index('id="identifying-warning"') :]
    return re.findall(r"<mark>([^<]*)</mark>", block[: block.index("</form>")])


def without_csrf_tokens(html: str) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", html)


def test_the_warning_does_not_tell_whether_a_name_is_on_the_list(client):
    dialogue, _, round_ = setup(client)  # "Mark Dam" is on the list, "Lise Holm" is not
    fields = form_fields(client.get(round_url(dialogue, round_)))
    listed = submit(client, dialogue, round_, "Vi kan spørge Mark Dam om vagterne", fields)
    unlisted = submit(client, dialogue, round_, "Vi kan spørge Lise Holm om vagterne", fields)
    assert (listed.status_code, unlisted.status_code) == (422, 422)
    assert warned_names(listed) == ["Mark Dam"]
    assert warned_names(unlisted) == ["Lise Holm"]
    page = listed.get_data(as_text=True).replace("Mark Dam", "Lise Holm")
    # Byte for byte, names swapped; CSRF tokens carry the second they were made in.
    assert without_csrf_tokens(page) == without_csrf_tokens(unlisted.get_data(as_text=True))
    assert count_contributions(round_) == 0


def test_saved_anyway_only_listed_names_are_flagged_for_the_consultant(client):
    dialogue, _, round_ = setup(client)
    for text in ("Vi kan spørge Mark Dam om vagterne", "Vi kan spørge Lise Holm om vagterne"):
        fields = warning_form(submit(client, dialogue, round_, text))
        response = client.post(f"/d/{dialogue.slug}/rounds/{round_.id}/contributions", data=fields)
        assert response.status_code == 303
    assert stored_spans(round_) == [("name", 14, 22)]  # Mark Dam: a listed name is flagged


def test_a_member_added_later_is_flagged_in_texts_saved_after(db_session):
    dialogue = make_dialogue()
    member = make_member(dialogue)
    round_ = make_round(dialogue)
    make_contribution(round_, member, "Hilsen Lise Holm")
    assert stored_spans(round_) == []
    make_member(dialogue).person.name = "Lise Holm"
    Session.flush()
    make_contribution(round_, member, "Hilsen Lise Holm igen")
    assert stored_spans(round_) == [("name", 7, 16)]


def consultant_client(client, dialogue):
    consultant = make_member(dialogue, Role.CONSULTANT)
    Session.flush()
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/"))})
    staff_login(client, consultant.person.email, STAFF_PASSWORD)
    return consultant


def everything_stored() -> str:
    """Every value of every table, as one string, to search for text that must be gone."""
    parts = []
    for table in Base.metadata.sorted_tables:
        for row in Session.execute(sa.select(table)):
            parts.append(json.dumps([str(v) for v in row], ensure_ascii=False))
    return "\n".join(parts)


def test_flagged_details_are_masked_in_analysis_quotes_and_exports(db_session):
    dialogue = make_dialogue()
    member = make_member(dialogue)
    round_ = make_round(dialogue)
    contribution = make_contribution(round_, member, f"Ring {PHONE} om vagtplanen")
    masked = masked_text(contribution.id, contribution.body)
    assert masked == "Ring [hidden: phone number] om vagtplanen"
    (document,) = round_documents(round_)
    assert PHONE not in document.text
    assert "vagtplanen" in document.text
    (uncovered,) = coverage(load_graph(dialogue), dialogue).texts  # the coverage page's texts
    assert uncovered.text == masked
    export = build_export(dialogue, raw_text=True)
    assert export["contributions"][0]["text"] == "Ring [hidden:phone] om vagtplanen"
    assert PHONE not in json.dumps(export)


def test_consultant_sees_details_in_context_and_redacts_them(client):
    dialogue, _, round_ = setup(client)
    text = f"Ring {PHONE} eller spørg Mark Dam"
    client.post(
        f"/d/{dialogue.slug}/rounds/{round_.id}/contributions",
        data=warning_form(submit(client, dialogue, round_, text)),
    )
    # One text alone waits for a batch of five authors while the round is open (A13).
    round_.closes_at = utcnow() - dt.timedelta(minutes=1)
    consultant = consultant_client(client, dialogue)
    review_url = f"/d/{dialogue.slug}/staff/rounds/{round_.id}/identifying/"
    page = client.get(review_url)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"<mark>{PHONE}</mark>" in body
    assert "<mark>Mark Dam</mark>" in body
    # Only the text itself: nothing about who on the list has that name.
    colleague_email = Session.scalar(sa.text("select email from people where name = 'Mark Dam'"))
    assert colleague_email not in body

    ((contribution, spans),) = flagged_in_round(round_.id)
    phone_span = next(span for span in spans if span.kind == "phone")
    response = client.post(
        f"{review_url}{phone_span.id}/redact", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 303
    Session.expire_all()
    contribution = Session.get(Contribution, contribution.id)
    assert contribution.body == "Ring [fjernet: telefonnummer] eller spørg Mark Dam"
    assert [span.kind for span in flagged_in_round(round_.id)[0][1]] == ["name"]
    redaction = Session.scalar(select(Redaction))
    assert (redaction.kind, redaction.actor_id) == ("phone", consultant.person_id)
    assert PHONE not in everything_stored()  # not in the text, the audit log, the cache …
    assert PHONE not in json.dumps(build_export(dialogue, raw_text=True))


def test_redaction_drops_stored_quotes_that_held_the_original(db_session):
    dialogue = make_dialogue()
    member = make_member(dialogue)
    round_ = make_round(dialogue)
    make_contribution(round_, member, f"Ring {PHONE}")
    theme_figures(round_)
    assert Session.scalar(select(sa.func.count()).select_from(RoundResultsCache)) == 1
    ((_, (span,)),) = flagged_in_round(round_.id)
    redact(span, actor_id=None)
    assert Session.scalar(select(sa.func.count()).select_from(RoundResultsCache)) == 0


def test_a_stale_or_foreign_span_cannot_be_redacted(client):
    dialogue, _, round_ = setup(client)
    consultant_client(client, dialogue)
    review_url = f"/d/{dialogue.slug}/staff/rounds/{round_.id}/identifying/"
    page = client.get(review_url)
    response = client.post(f"{review_url}999999/redact", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303
    assert 'class="flash flash-error"' in client.get(review_url).get_data(as_text=True)
    assert Session.scalar(select(sa.func.count()).select_from(Redaction)) == 0


def test_a_structured_answer_is_warned_about_and_saved_whole_when_confirmed(client):
    dialogue = make_dialogue()
    participant = make_member(dialogue)
    round_ = make_item_round(dialogue, RoundKind.CULTURE)
    Session.flush()
    log_in_participant(client, participant)
    fields = form_fields(client.get(round_url(dialogue, round_)))
    fields |= {
        "item_arbejdsmiljo_strength": "Vi hjælper hinanden",
        "item_digitalisering_weakness": "Skriv til it@kommune.dk, så svarer ingen",
    }
    url = f"/d/{dialogue.slug}/rounds/{round_.id}/contributions"
    warned = client.post(url, data=fields)
    assert warned.status_code == 422
    assert "<mark>it@kommune.dk</mark>" in warned.get_data(as_text=True)
    assert count_contributions(round_) == 0
    assert client.post(url, data=warning_form(warned)).status_code == 303
    assert count_contributions(round_) == 2
    assert stored_spans(round_) == [("email", 10, 23)]


def test_saving_anyway_from_an_ended_session_keeps_the_text_for_later(client):
    dialogue, participant, round_ = setup(client)
    text = f"Ring til mig på {PHONE}"
    fields = warning_form(submit(client, dialogue, round_, text))
    end_test_sessions()  # the session times out while they decide
    response = client.post(f"/d/{dialogue.slug}/rounds/{round_.id}/contributions", data=fields)
    assert response.headers["Location"].endswith("/login/link")
    assert count_contributions(round_) == 0
    log_in_participant(client, Session.get(Membership, participant.id))
    page = client.get(round_url(dialogue, round_))
    assert f"{text}</textarea>" in page.get_data(as_text=True)
    again = submit(client, dialogue, round_, text, form_fields(page))
    assert again.status_code == 422  # warned again, and saved only by choosing so again
    assert count_contributions(round_) == 0
