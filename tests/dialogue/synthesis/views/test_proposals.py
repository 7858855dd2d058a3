"""Management's pages around consultation.

Where a draft can go, what the consultation said, making a value final only after saying what
that does, and reopening it again.
"""

from __future__ import annotations

from sqlalchemy import select

from dialogue.core.db import Session
from dialogue.core.models import (
    AuditEvent,
    Contribution,
    Membership,
    ModerationState,
    Role,
    Round,
    RoundKind,
)
from dialogue.core.models.proposal import ProposalKind, ProposalStatus, VersionStage
from dialogue.synthesis.services.proposals import create_proposal, finalise_proposal
from dialogue.synthesis.services.publishing import feed_final_values, publish_for_consultation
from tests.conftest import csrf_from
from tests.factories import STAFF_PASSWORD, make_member, make_round
from tests.logins import staff_login
from tests.rounds.factories import author_of, closed_times


def _log_in(client, membership):
    person = Session.get(Membership, membership.id).person
    assert staff_login(client, person.email, STAFF_PASSWORD).status_code == 302


def _draft(case, title="Åbenhed"):
    return create_proposal(case.dialogue, kind=ProposalKind.VALUE, title=title, actor_id=None)


def _comment(round_, membership, proposal, body, released=True):
    Session.add(
        Contribution(
            round=round_,
            author=author_of(membership),
            target=proposal.item_key,
            body=body,
            data={"rating": 4},
            released=released,
            created_on=round_.opens_at.date(),
        )
    )
    Session.flush()


def _consulted(case, commenters: int, times=None):
    """A draft in a consultation round where ``commenters`` people commented on it.

    The round is closed unless ``times`` say otherwise.
    """
    proposal = _draft(case)
    times = closed_times() if times is None else times
    round_ = make_round(case.dialogue, RoundKind.CONSULTATION, **times)
    publish_for_consultation([proposal], round_, actor_id=None)
    for i, person in enumerate(case.people[:commenters]):
        _comment(round_, person, proposal, f"Kommentar nummer {i} om åbenhed.")
    return proposal, round_


def test_a_draft_is_offered_only_rounds_that_can_take_it_and_told_whom_to_ask(case, client):
    admin = make_member(case.dialogue, Role.ADMIN)
    proposal = _draft(case)
    answered = make_round(case.dialogue, RoundKind.CONSULTATION)
    _comment(answered, case.people[0], proposal, "Et svar på et andet udkast.")
    make_round(case.dialogue, RoundKind.CONSULTATION, **closed_times())
    fresh = make_round(case.dialogue, RoundKind.CONSULTATION)
    make_round(case.dialogue, RoundKind.ACTION)
    _log_in(client, case.management)
    url = f"/d/{case.dialogue.slug}/proposals/{proposal.id}"
    page = client.get(url).get_data(as_text=True)
    publish = page.split('action="' + url + '/publish"', 1)[1].split("</form>", 1)[0]
    assert f'value="{fresh.id}"' in publish
    assert publish.count("<option") == 1  # not the answered, the closed or the action round

    Session.delete(Session.get(Round, fresh.id))
    Session.flush()
    Session.expire_all()
    page = client.get(url).get_data(as_text=True)
    assert "/publish" not in page
    assert "Ingen høringsrunde kan tage imod udkastet" in page
    assert f"Bed dialogens administrator ({admin.person.name})" in page


def test_management_reads_the_comments_on_a_draft_once_enough_people_wrote(case, client):
    proposal, round_ = _consulted(case, 8)
    other = _draft(case, "Mod")
    _comment(round_, case.people[8], other, "Om et andet udkast.")
    _comment(round_, case.people[9], proposal, "Skriv til ole.hansen@example.org om det.")
    hidden = Session.scalar(
        select(Contribution).where(Contribution.body == "Kommentar nummer 0 om åbenhed.")
    )
    hidden.moderation = ModerationState.HIDDEN
    Session.flush()
    _log_in(client, case.management)
    response = client.get(f"/d/{case.dialogue.slug}/proposals/{proposal.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kommentarer fra høringen" in page
    assert "8 personer kommenterede udkastet" in page  # 9 wrote, one text is hidden
    assert page.count("Kommentar nummer") == 7
    assert hidden.body not in page
    assert (
        "ole.hansen@example.org" not in page
    )  # the flagged detail is masked, as for the consultant
    assert "Om et andet udkast." not in page
    # The confirmation page for the final version shows them too: the note answers them.
    page = client.get(f"/d/{case.dialogue.slug}/proposals/{proposal.id}/finalise")
    assert page.get_data(as_text=True).count("Kommentar nummer") == 7


def test_comments_from_fewer_than_eight_people_are_not_shown_to_management(case, client):
    proposal, _round = _consulted(case, 6)
    _log_in(client, case.management)
    page = client.get(f"/d/{case.dialogue.slug}/proposals/{proposal.id}").get_data(as_text=True)
    assert "6 personer kommenterede udkastet" in page
    assert "mindst 8 personer har kommenteret" in page
    assert "Kommentar nummer" not in page


def test_while_the_round_is_open_only_released_batches_are_read(case, client):
    proposal, round_ = _consulted(case, 8, times={})  # open: waiting input is not yet released
    waiting = select(Contribution).where(Contribution.round_id == round_.id)
    for contribution in Session.scalars(waiting):
        contribution.released = False
    Session.flush()
    _log_in(client, case.management)
    page = client.get(f"/d/{case.dialogue.slug}/proposals/{proposal.id}").get_data(as_text=True)
    assert "Ingen har endnu kommenteret udkastet" in page
    assert "Kommentar nummer" not in page


def test_making_final_is_confirmed_and_a_consulted_draft_needs_its_note(case, client):
    proposal, _round = _consulted(case, 1)
    _log_in(client, case.management)
    url = f"/d/{case.dialogue.slug}/proposals/{proposal.id}/finalise"
    page = client.get(url)
    assert page.status_code == 200
    assert "Udkastet var i høring som “Åbenhed”" in page.get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "title": "Åbenhed", "text": "", "note": ""}
    refused = client.post(url, data=form)
    assert refused.status_code == 422
    assert "Skriv, hvad der er ændret efter høringen" in refused.get_data(as_text=True)
    assert Session.get(type(proposal), proposal.id).status is ProposalStatus.CONSULTATION
    done = client.post(url, data={**form, "note": "Uændret."})
    assert done.status_code == 303
    assert Session.get(type(proposal), proposal.id).status is ProposalStatus.FINAL


def test_a_final_value_reopens_with_its_final_version_kept_and_audited(case, client):
    proposal = _draft(case)
    finalise_proposal(
        proposal, title="Åbenhed", text="Vi deler viden.", note="Besluttet.", actor_id=None
    )
    proposal_id = proposal.id
    _log_in(client, case.management)
    slug = case.dialogue.slug
    assert "ikke sendt i høring" in client.get(f"/p/{slug}/values/").get_data(as_text=True)
    assert "ikke sendt i høring" in client.get(f"/p/{slug}/values/{proposal_id}").get_data(
        as_text=True
    )
    url = f"/d/{slug}/proposals/{proposal_id}/reopen"
    page = client.get(url)
    response = client.post(url, data={"csrf_token": csrf_from(page), "note": ""})
    assert response.status_code == 422
    response = client.post(url, data={"csrf_token": csrf_from(page), "note": "Til høring."})
    assert response.status_code == 303
    Session.expire_all()
    reopened = Session.get(type(proposal), proposal_id)
    assert reopened.status is ProposalStatus.DRAFT
    assert [v.stage for v in reopened.versions] == [
        VersionStage.DRAFT,
        VersionStage.FINAL,
        VersionStage.DRAFT,
    ]
    assert reopened.versions[1].text == "Vi deler viden."
    assert reopened.current.change_note == "Til høring."
    event = Session.scalar(select(AuditEvent).where(AuditEvent.action == "proposal.reopen"))
    assert event.subject == reopened.item_key
    assert client.get(f"/p/{slug}/values/{proposal_id}").status_code == 404
    again = client.post(url, data={"csrf_token": csrf_from(page), "note": "Igen."})
    assert again.status_code == 422  # only a final proposal reopens


def test_a_value_finalised_after_the_action_round_opened_is_added_after_the_others(
    case, request_context
):
    first = _draft(case, "Borgeren i centrum")
    finalise_proposal(first, title="Borgeren i centrum", text="", note="", actor_id=None)
    action = make_round(case.dialogue, RoundKind.ACTION)
    feed_final_values(action, actor_id=None)
    _comment(action, case.people[0], first, "Jeg tager det op på teammødet.")
    later = _draft(case, "Mod til at prøve")
    finalise_proposal(later, title="Mod til at prøve", text="", note="", actor_id=None)
    feed_final_values(action, actor_id=None)
    assert [item["key"] for item in action.settings["items"]] == [first.item_key, later.item_key]
    # Answered items keep their place: a ranked round could not take one more, an action round can.
    event = Session.scalars(
        select(AuditEvent).where(AuditEvent.action == "round.items").order_by(AuditEvent.id)
    ).all()[-1]
    assert event.details["count"] == 2
