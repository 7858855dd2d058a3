"""Follow-up of final values and critical factors: initiatives, notes, reviews, who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from dialogue.core.db import Session
from dialogue.core.models import (
    AuditEvent,
    FollowUp,
    FollowUpNote,
    FollowUpReview,
    RoundKind,
)
from dialogue.core.models.followup import FollowUpOrigin, FollowUpStatus, ReviewPeriod
from dialogue.core.models.proposal import CoverageStatus, ProposalKind
from dialogue.followup import queries
from dialogue.followup import services as follow
from dialogue.synthesis.services.coverage import mark_coverage
from dialogue.synthesis.services.proposals import (
    create_proposal,
    finalise_proposal,
    reopen_proposal,
)
from tests.conftest import csrf_from
from tests.dialogue.synthesis.views.test_reading import _final, _participant_login
from tests.factories import STAFF_PASSWORD, make_contribution, make_dialogue, make_round
from tests.logins import staff_login
from tests.rounds.factories import closed_times

DAY = dt.date(2027, 1, 10)
CANARY = "Kanarie-note-4410"


def _items() -> int:
    return Session.scalar(select(func.count()).select_from(FollowUp))


def _notes() -> int:
    return Session.scalar(select(func.count()).select_from(FollowUpNote))


def _initiative(value, day=DAY, **values):
    values.setdefault("title", "Fælles introduktion")
    values.setdefault("owner_unit", "HR")
    return follow.add_initiative(value, actor_id=None, day=day, **values)


# --- the service ---------------------------------------------------------------------------------


def test_initiatives_belong_to_final_values_only(case, request_context):
    draft = create_proposal(case.dialogue, kind=ProposalKind.VALUE, title="Kladde", actor_id=None)
    with pytest.raises(follow.FollowUpError):
        _initiative(draft)
    value = _final(case)
    with pytest.raises(follow.FollowUpError):
        _initiative(value, owner_unit="   ")
    item = _initiative(value)
    assert (item.status, item.origin, item.created_on) == (
        FollowUpStatus.PLANNED,
        FollowUpOrigin.MANAGEMENT,
        DAY,
    )
    assert [(n.written_on, n.status) for n in item.notes] == [(DAY, FollowUpStatus.PLANNED)]


def test_notes_move_the_status_and_a_closed_item_only_reopens(case, request_context):
    item = _initiative(_final(case))
    with pytest.raises(follow.FollowUpError):
        follow.add_note(item, status=FollowUpStatus.PLANNED, text="  ", day=DAY)
    follow.add_note(item, status=FollowUpStatus.IN_PROGRESS, text="", day=DAY)  # status alone
    follow.add_note(item, status=FollowUpStatus.DONE, text="Alle nye er introduceret", day=DAY)
    with pytest.raises(follow.FollowUpError):
        follow.add_note(item, status=FollowUpStatus.DONE, text="Mere", day=DAY)
    follow.add_note(item, status=FollowUpStatus.IN_PROGRESS, text="Genåbnet", day=DAY)
    assert item.status is FollowUpStatus.IN_PROGRESS
    assert _notes() == 4


def test_a_review_tells_what_moved_and_what_did_not(case, request_context):
    value = _final(case)
    moved = _initiative(value, title="Rykket", day=DAY)
    still = _initiative(value, title="Stillestående", day=DAY)
    closed = _initiative(value, title="Lukket", day=DAY)
    follow.add_note(closed, status=FollowUpStatus.DONE, text="Færdig", day=DAY)
    later = DAY + dt.timedelta(days=40)
    follow.add_note(moved, status=FollowUpStatus.IN_PROGRESS, text="Startet", day=later)
    new = _initiative(value, title="Ny", day=later)
    titles = {value.id: "Trivsel"}
    review = queries.build_review(case.dialogue, DAY, later, titles)
    assert {row.item.title for row in review.moved} == {"Rykket", "Ny"}
    assert [row.item.title for row in review.unmoved] == ["Stillestående"]  # closed: left out
    row = next(row for row in review.moved if row.item is moved)
    assert (row.before, row.after, [n.text for n in row.notes]) == (
        FollowUpStatus.PLANNED,
        FollowUpStatus.IN_PROGRESS,
        ["Startet"],
    )
    assert next(r for r in review.moved if r.item is new).before is None
    assert review.scorecard == [
        (
            "Trivsel",
            {
                FollowUpStatus.IN_PROGRESS: 1,
                FollowUpStatus.PLANNED: 2,
                FollowUpStatus.DONE: 1,
            },
        )
    ]
    assert still.status_on(DAY - dt.timedelta(days=1)) is None


def test_reviews_start_where_the_last_one_ended(case, request_context):
    assert queries.review_start(case.dialogue, ReviewPeriod.QUARTER, DAY) == dt.date(2026, 10, 10)
    follow.record_review(case.dialogue, period=ReviewPeriod.QUARTER, day=DAY)
    with pytest.raises(follow.FollowUpError):
        follow.record_review(case.dialogue, period=ReviewPeriod.MONTH, day=DAY)
    later = DAY + dt.timedelta(days=30)
    assert queries.review_start(case.dialogue, ReviewPeriod.MONTH, later) == DAY
    second = follow.record_review(case.dialogue, period=ReviewPeriod.MONTH, day=later)
    assert (second.since, second.held_on) == (DAY, later)


def test_critical_factors_are_tracked_once_and_outlive_a_cleared_decision(case, request_context):
    small = case.themes["small"]
    mark = mark_coverage(
        case.dialogue,
        theme_id=small.id,
        status=CoverageStatus.FOLLOW_UP,
        reason="Tages op i budgettet",
        actor_id=None,
    )
    factors = queries.critical_factors(case.dialogue, queries.items_of(case.dialogue))
    assert [(f.label, f.item) for f in factors] == [("Parkering", None)]
    item = follow.track_factor(mark, title="Parkering", owner_unit="Teknik", day=DAY)
    with pytest.raises(follow.FollowUpError):
        follow.track_factor(mark, title="Igen", owner_unit="Teknik", day=DAY)
    mark_coverage(case.dialogue, theme_id=small.id, status=None, actor_id=None)
    Session.expire_all()
    factors = queries.critical_factors(case.dialogue, queries.items_of(case.dialogue))
    assert [(f.label, f.item.id) for f in factors] == [("Parkering", item.id)]
    left_out = mark_coverage(
        case.dialogue,
        theme_id=small.id,
        status=CoverageStatus.LEFT_OUT,
        reason="Uden for opgaven",
        actor_id=None,
    )
    with pytest.raises(follow.FollowUpError):
        follow.track_factor(left_out, title="Nej", owner_unit="Teknik", day=DAY)


# --- the pages ----------------------------------------------------------------------------------


def _login(client, membership):
    assert staff_login(client, membership.person.email, STAFF_PASSWORD).status_code == 302


def _post(client, case, path, **data):
    slug = case.dialogue.slug
    csrf = csrf_from(client.get(f"/d/{slug}/follow-up/"))
    return client.post(f"/d/{slug}/follow-up/{path}", data={"csrf_token": csrf, **data})


def test_management_adds_an_initiative_and_notes_its_progress(case, client):
    value = _final(case)
    _login(client, case.management)
    response = _post(
        client,
        case,
        "initiatives",
        proposal_id=str(value.id),
        title="Trivselsmåling hvert halve år",
        owner_unit="HR",
        status="planned",
    )
    assert response.status_code == 303
    item = Session.scalar(select(FollowUp))
    response = _post(client, case, f"items/{item.id}/notes", status="in_progress", text=CANARY)
    assert response.status_code == 303
    page = client.get(f"/d/{case.dialogue.slug}/follow-up/").get_data(as_text=True)
    assert "Trivselsmåling hvert halve år" in page
    assert CANARY in page
    for event in Session.scalars(select(AuditEvent)):
        assert CANARY not in f"{event.subject} {event.details}"


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("notes", {"status": "finished", "text": "Hm"}, "Vælg en af mulighederne."),
        ("notes", {"status": "in_progress", "text": "x" * 2001}, "Skriv højst 2000 tegn."),
        ("notes", {"status": "planned", "text": ""}, "Skriv en note eller skift status."),
        ("initiatives", {"status": "planned", "title": "T", "owner_unit": ""}, "Udfyld venligst"),
        ("initiatives", {"status": "someday", "title": "T", "owner_unit": "HR"}, "Vælg en af"),
    ],
)
def test_bad_input_is_refused_in_danish_and_stores_nothing(case, client, path, data, message):
    value = _final(case)
    item = _initiative(value)
    _login(client, case.management)
    before = (_items(), _notes())
    if path == "notes":
        path = f"items/{item.id}/notes"
    else:
        data["proposal_id"] = str(value.id)
    response = _post(client, case, path, **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert (_items(), _notes()) == before


def test_a_note_on_a_closed_item_is_refused(case, client):
    item = _initiative(_final(case))
    follow.add_note(item, status=FollowUpStatus.DROPPED, text="Opgivet", day=DAY)
    _login(client, case.consultant)
    response = _post(client, case, f"items/{item.id}/notes", status="dropped", text="Mere")
    assert response.status_code == 422
    assert "Punktet er lukket" in response.get_data(as_text=True)
    assert _notes() == 2


def test_unknown_items_and_another_dialogues_items_are_not_found(case, client):
    other = make_dialogue()
    stranger = _initiative(_other_final(other))
    _login(client, case.management)
    assert _post(client, case, "items/999999/notes", status="done").status_code == 404
    assert _post(client, case, f"items/{stranger.id}/notes", status="done").status_code == 404
    url = f"/d/{case.dialogue.slug}/follow-up/reviews/999999"
    assert client.get(url).status_code == 404
    assert _notes() == 1


def _other_final(dialogue):
    proposal = create_proposal(dialogue, kind=ProposalKind.VALUE, title="Andet", actor_id=None)
    finalise_proposal(proposal, title="Andet", text="", note="", actor_id=None)
    return proposal


def test_participants_and_the_public_read_progress_but_cannot_change_it(case, client):
    value = _final(case)
    item = _initiative(value, title="Mentorordning")
    follow.add_note(item, status=FollowUpStatus.IN_PROGRESS, text="Ti mentorer fundet", day=DAY)
    _participant_login(client, case.people[0])
    slug = case.dialogue.slug
    page = client.get(f"/d/{slug}/follow-up/").get_data(as_text=True)
    assert "Mentorordning" in page
    assert "Ti mentorer fundet" in page
    assert "Gem noten" not in page  # no forms for participants
    assert _post(client, case, f"items/{item.id}/notes", status="done").status_code == 403
    value_page = client.get(f"/d/{slug}/values/{value.id}").get_data(as_text=True)
    assert "Mentorordning" in value_page
    public = client.get(f"/p/{slug}/values/{value.id}").get_data(as_text=True)
    assert "Mentorordning" in public
    assert "I gang" in public
    assert "Ti mentorer fundet" in public


def _commitments(case, count):
    action = make_round(case.dialogue, RoundKind.ACTION, **closed_times())
    value = _final(case)
    made = []
    for i, person in enumerate(case.people[:count]):
        contribution = make_contribution(action, person, f"Jeg vil hjælpe nye kolleger {i}")
        contribution.target = value.item_key
        contribution.data = {"aspect": "me"}
        made.append(contribution)
    Session.flush()
    return value, made


def test_the_consultant_promotes_a_commitment_management_only_from_large_groups(case, client):
    value, made = _commitments(case, 3)
    slug = case.dialogue.slug
    _login(client, case.management)
    page = client.get(f"/d/{slug}/follow-up/values/{value.id}/commitments")
    assert made[0].body not in page.get_data(as_text=True)  # 3 authors: no verbatim (A6)
    promote = f"commitments/{made[0].id}/promote"
    data = {"title": "Makkerordning", "owner_unit": "Jobcenter", "status": "planned"}
    assert _post(client, case, promote, **data).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/"))})
    _login(client, case.consultant)
    page = client.get(f"/d/{slug}/follow-up/values/{value.id}/commitments")
    assert made[0].body in page.get_data(as_text=True)
    assert _post(client, case, promote, **data).status_code == 303
    item = Session.scalar(select(FollowUp))
    assert (item.origin, item.contribution_id, item.proposal_id) == (
        FollowUpOrigin.COMMITMENT,
        made[0].id,
        value.id,
    )
    challenge = case.texts["big"][0]  # not a commitment
    assert _post(client, case, f"commitments/{challenge.id}/promote", **data).status_code == 404
    assert _items() == 1


def test_management_reads_commitments_from_eight_authors_on(case, client):
    value, made = _commitments(case, 8)
    _login(client, case.management)
    page = client.get(f"/d/{case.dialogue.slug}/follow-up/values/{value.id}/commitments")
    assert all(c.body in page.get_data(as_text=True) for c in made)


def test_the_review_page_is_one_printable_page_with_a_chart_and_its_table(case, client):
    value = _final(case)
    _initiative(value, day=dt.date(2026, 1, 5), title="Onboarding")
    _login(client, case.management)
    slug = case.dialogue.slug
    response = client.get(f"/d/{slug}/follow-up/review?period=half_year")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'role="img"' in page  # the chart, drawn on the server
    assert "Status pr. værdi" in page  # ... and its numbers as a table
    assert "Onboarding" in page
    assert "<script" not in page.split("<main", 1)[1]
    assert client.get(f"/d/{slug}/follow-up/review?period=decade").status_code == 200
    csrf = csrf_from(response)
    bad = client.post(f"/d/{slug}/follow-up/reviews", data={"csrf_token": csrf, "period": "decade"})
    assert bad.status_code == 422
    assert Session.scalar(select(func.count()).select_from(FollowUpReview)) == 0
    done = client.post(
        f"/d/{slug}/follow-up/reviews", data={"csrf_token": csrf, "period": "quarter"}
    )
    assert done.status_code == 303
    recorded = client.get(done.headers["Location"])
    assert recorded.status_code == 200
    assert "registreret" in recorded.get_data(as_text=True)
    again = client.post(
        f"/d/{slug}/follow-up/reviews", data={"csrf_token": csrf, "period": "quarter"}
    )
    assert again.status_code == 422
    assert Session.scalar(select(func.count()).select_from(FollowUpReview)) == 1


def test_a_reopened_values_initiatives_stay_followed_up_under_its_final_title(case, client):
    value = _final(case)
    final_title = value.current.title
    _initiative(value, title="Mentorordning")
    reopen_proposal(value, note="Ordlyden skal skærpes", actor_id=None)
    value.versions[-1].title = "Kladde der ikke er offentlig"
    Session.commit()
    _participant_login(client, case.people[0])
    page = client.get(f"/d/{case.dialogue.slug}/follow-up/").get_data(as_text=True)
    assert "Mentorordning" in page
    assert final_title in page
    assert "Ledelsen har genåbnet værdien" in page
    assert "Kladde der ikke er offentlig" not in page
