"""The Delphi loop through its pages: declaring the rule, reasons beside ratings, asking again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Membership, Role, Round, RoundKind
from rounds import get_kind
from tests.conftest import csrf_from
from tests.dialogue.participate.views.test_rounds import form_fields, log_in_participant
from tests.dialogue.rounds_admin.views.test_rounds import base_url, log_in_admin
from tests.factories import STAFF_PASSWORD, make_dialogue, make_member, make_round
from tests.logins import staff_login
from tests.rounds.factories import ITEMS, answer, author_of, make_item_round, participants

ARBEJDSMILJO = "item_arbejdsmiljo"


def rule_form(csrf, **overrides):
    """A new consultation round's form with the declared rule's defaults."""
    return {
        "csrf_token": csrf,
        "title": "Høring",
        "opens_at": "2026-10-18T08:00",
        "setting_items": "Tillid\nMod",
        "setting_max_length": "1000",
        "setting_max_iqr": "1.0",
        "setting_min_share": "0.7",
        "setting_polar_share": "0.3",
        "setting_stop_after": "3",
        "setting_stop_change": "0.1",
        "setting_source_round": "0",
        "setting_repeat_of": "0",
        **overrides,
    }


def close(round_):
    now = utcnow()
    round_.opens_at, round_.closes_at = now - dt.timedelta(days=7), now - dt.timedelta(minutes=1)
    Session.flush()


def consult(round_, member, rating, reason=None):
    answer(round_, member, {"arbejdsmiljo": (rating, None)}, reasons={"arbejdsmiljo": reason or ""})


def test_the_admin_declares_the_rule_in_a_fieldset_of_its_own_with_defaults(client):
    dialogue = make_dialogue(language="en")
    log_in_admin(client, dialogue)
    page = client.get(base_url(dialogue) + "/new?kind=consultation")
    html = page.get_data(as_text=True)
    assert "<legend>Consensus and stop rule</legend>" in html
    assert 'name="setting_stop_after" type="text" value="3"' in html
    assert 'name="setting_stop_change" type="text" value="0.1"' in html
    csrf = csrf_from(page)
    for overrides, message in (
        ({"setting_stop_after": "0"}, "Stop after between 1 and 10 rounds."),
        ({"setting_stop_change": "some"}, "Please enter a number."),
        ({"setting_stop_change": "2"}, "must lie between 0 and 1"),
    ):
        response = client.post(
            base_url(dialogue) + "/new?kind=consultation", data=rule_form(csrf, **overrides)
        )
        assert response.status_code == 422, overrides
        assert message in response.get_data(as_text=True)
    assert Session.scalars(select(Round).where(Round.dialogue_id == dialogue.id)).all() == []
    response = client.post(
        base_url(dialogue) + "/new?kind=consultation",
        data=rule_form(csrf, setting_stop_after="2"),
    )
    assert response.status_code == 303
    (round_,) = Session.scalars(select(Round).where(Round.dialogue_id == dialogue.id))
    assert round_.settings["stop_after"] == 2


def test_the_rule_cannot_change_once_the_round_has_input(client):
    dialogue = make_dialogue(language="en")
    round_ = make_item_round(dialogue, RoundKind.CONSULTATION, items=ITEMS[:1])
    consult(round_, make_member(dialogue), "4")
    round_id = round_.id
    log_in_admin(client, dialogue)
    edit_url = f"{base_url(dialogue)}/{round_id}/edit"
    page = client.get(edit_url)
    items = "arbejdsmiljo | Arbejdsmiljø"
    response = client.post(
        edit_url,
        data=rule_form(
            csrf_from(page),
            title=round_.title,
            setting_items=items,
            opens_at=page.get_data(as_text=True).split('name="opens_at" value="')[1][:16],
            setting_min_share="0.8",
        ),
    )
    assert response.status_code == 409
    assert "can no longer change: Consensus: least share agreeing" in response.get_data(
        as_text=True
    )
    Session.expire_all()
    assert "min_share" not in Session.get(Round, round_id).settings


def test_a_participant_reads_the_rule_before_answering_and_gives_a_reason(client):
    dialogue = make_dialogue(language="en")
    round_ = make_item_round(dialogue, RoundKind.CONSULTATION, items=ITEMS[:1], stop_after=2)
    round_id = round_.id
    member = make_member(dialogue)
    log_in_participant(client, member)
    url = f"/d/{dialogue.slug}/rounds/{round_id}/"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert "When does the group agree?" in html
    assert "at least 70 % answer 4 or 5" in html
    assert "We stop after at most 2 rounds, or earlier when fewer than 10 % change" in html
    assert html.index("When does the group agree?") < html.index(f'name="{ARBEJDSMILJO}_rating"')
    assert "the others may read your reason without your name" in html
    data = {
        **form_fields(page),
        f"{ARBEJDSMILJO}_rating": "4",
        f"{ARBEJDSMILJO}_reason": "Vi mangler tid",
        f"{ARBEJDSMILJO}_comment": "",
    }
    assert client.post(url + "contributions", data=data).status_code == 303
    rows = Session.scalars(select(Contribution).where(Contribution.round_id == round_id)).all()
    assert {(row.data.get("aspect"), row.body) for row in rows} == {
        (None, None),
        ("reason", "Vi mangler tid"),
    }
    assert {row.author for row in rows} == {author_of(member)}
    assert "Vi mangler tid</textarea>" in client.get(url).get_data(as_text=True)
    too_long = {**data, **form_fields(client.get(url)), f"{ARBEJDSMILJO}_reason": "x" * 501}
    response = client.post(url + "contributions", data=too_long)
    assert response.status_code == 422
    assert "within 500 characters" in response.get_data(as_text=True)


def test_a_ranking_round_declares_no_rule_and_asks_no_reasons(client):
    dialogue = make_dialogue(language="en")
    round_ = make_item_round(dialogue, RoundKind.PRIORITISATION)
    log_in_participant(client, make_member(dialogue))
    html = client.get(f"/d/{dialogue.slug}/rounds/{round_.id}/").get_data(as_text=True)
    assert "When does the group agree?" not in html
    assert "_reason" not in html


def published_with_reasons(dialogue, writers: int):
    """A closed, published consultation: eight rate Arbejdsmiljø, ``writers`` give a reason."""
    round_ = make_item_round(dialogue, RoundKind.CONSULTATION, items=ITEMS[:2])
    members = participants(dialogue, 8)
    for number, member in enumerate(members):
        consult(round_, member, "45"[number % 2], f"Grund nummer {number}" * (number < writers))
    close(round_)
    round_.is_published = True
    Session.flush()
    return round_, members


def test_results_say_which_items_met_the_rule_and_show_reasons_from_eight_writers(client):
    dialogue = make_dialogue(language="en", is_public=True)
    round_, members = published_with_reasons(dialogue, writers=8)
    log_in_participant(client, members[0])
    html = client.get(f"/d/{dialogue.slug}/rounds/{round_.id}/results/").get_data(as_text=True)
    assert "Which items met the rule" in html
    assert "Yes: Consensus" in html
    assert "The stop rule says: continue." in html  # Digitalisering was not answered
    assert "8 reasons for “Arbejdsmiljø”" in html
    assert html.index("Grund nummer 0") < html.index("Grund nummer 7")
    public = client.get(f"/p/{dialogue.slug}/").get_data(as_text=True)
    assert "When does the group agree?" in public
    assert "Which items met the rule" in public
    assert "Grund nummer" not in public  # the public page shows no participant's words


def test_the_public_page_states_the_rule_once_and_the_verdict_outside_the_figures(client):
    dialogue = make_dialogue(language="en", is_public=True)
    published_with_reasons(dialogue, writers=0)
    public = client.get(f"/p/{dialogue.slug}/").get_data(as_text=True)
    assert public.count("answer 4 or 5 and the middle half") == 1
    assert public.count("We stop after at most 3 rounds") == 1
    folded = public[public.index('<details class="statistics"') :]
    folded = folded[: folded.index("</details>")]
    assert "Which items met the rule" in folded
    assert "The stop rule says: continue." in public
    assert "The stop rule says" not in folded


def test_seven_reasons_are_not_shown_nor_counted(client):
    dialogue = make_dialogue(language="en")
    round_, members = published_with_reasons(dialogue, writers=7)
    log_in_participant(client, members[0])
    html = client.get(f"/d/{dialogue.slug}/rounds/{round_.id}/results/").get_data(as_text=True)
    assert "Which items met the rule" in html
    assert "Grund nummer" not in html
    assert "reasons for" not in html


def test_the_admin_asks_again_and_participants_see_their_answer_and_the_reasons(client):
    dialogue = make_dialogue(language="en")
    first, members = published_with_reasons(dialogue, writers=8)
    first_id, member_id = first.id, members[1].id
    log_in_admin(client, dialogue)
    listing = client.get(base_url(dialogue) + "/")
    assert "Ask again about the items without consensus" in listing.get_data(as_text=True)
    response = client.post(
        f"{base_url(dialogue)}/{first_id}/repeat", data={"csrf_token": csrf_from(listing)}
    )
    assert response.status_code == 303
    second = Session.scalars(select(Round).where(Round.position == 2)).one()
    assert response.headers["Location"].endswith(f"/{second.id}/edit")
    kind = get_kind(second.kind)
    assert [item.key for item in kind.items(second)] == ["digitalisering"]
    assert kind.settings(second)["repeat_of"] == first_id

    # The requests ended the session the members were loaded in: load the one logging in again.
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/"))})
    log_in_participant(client, Session.get(Membership, member_id))
    html = client.get(f"/d/{dialogue.slug}/rounds/{second.id}/").get_data(as_text=True)
    assert "This is round 2 of at most 3." in html
    assert "8 reasons for “Arbejdsmiljø”" in html  # in the feedback of the first round
    assert "Grund nummer 1" in html


def test_asking_again_is_refused_with_a_reason_where_the_rule_says_stop(client):
    dialogue = make_dialogue(language="en")
    agreed = make_round(dialogue, RoundKind.CONSULTATION, settings={"items": ITEMS[:1]})
    for member in participants(dialogue, 5):
        consult(agreed, member, "5")
    close(agreed)
    agreed_id = agreed.id
    log_in_admin(client, dialogue)
    listing = client.get(base_url(dialogue) + "/")
    response = client.post(
        f"{base_url(dialogue)}/{agreed_id}/repeat", data={"csrf_token": csrf_from(listing)}
    )
    assert response.status_code == 422
    assert "Every item reached consensus" in response.get_data(as_text=True)
    rounds = Session.scalars(select(Round.id).where(Round.dialogue_id == dialogue.id)).all()
    assert rounds == [agreed_id]
    no_token = client.post(f"{base_url(dialogue)}/{agreed_id}/repeat", data={})
    assert no_token.status_code in (400, 422)


def test_a_repeat_round_reports_changes_and_lists_the_items_settled_before(client):
    dialogue = make_dialogue(language="en")
    members = participants(dialogue, 5)
    first = make_item_round(dialogue, RoundKind.CONSULTATION, items=[ITEMS[0], ITEMS[3]])
    for member, rating in zip(members, "12345", strict=True):
        answer(first, member, {"arbejdsmiljo": ("5", None), "samarbejde": (rating, None)})
    close(first)
    first.is_published = True
    second = make_item_round(dialogue, RoundKind.CONSULTATION, items=ITEMS[3:], repeat_of=first.id)
    for member, rating in zip(members, "22345", strict=True):  # the first moved from 1 to 2
        answer(second, member, {"samarbejde": (rating, None)})
    close(second)
    second.is_published = True
    Session.flush()
    log_in_participant(client, members[0])
    html = client.get(f"/d/{dialogue.slug}/rounds/{second.id}/results/").get_data(as_text=True)
    assert "Settled in earlier rounds and not asked about again:" in html
    assert "<li>Arbejdsmiljø – Consensus</li>" in html
    assert "Changed their answer since last time" in html
    assert "Of those who answered both this round and the one before, 20 % changed" in html
    assert "This was round 2 of at most 3." not in html  # the rule allows a third round
    assert "The stop rule says: continue." in html


def test_the_consultant_reads_reasons_apart_from_comments(client):
    dialogue = make_dialogue(language="en")
    round_ = make_item_round(dialogue, RoundKind.CONSULTATION, items=ITEMS[:1])
    answer(
        round_,
        make_member(dialogue),
        {"arbejdsmiljo": ("4", "En kommentar")},
        reasons={"arbejdsmiljo": "En grund"},
    )
    close(round_)
    consultant = make_member(dialogue, Role.CONSULTANT)
    staff_login(client, consultant.person.email, STAFF_PASSWORD)
    html = client.get(f"/d/{dialogue.slug}/rounds/{round_.id}/results/").get_data(as_text=True)
    reasons = html.split("<h3>Arbejdsmiljø · Reasons given</h3>")[1].split("</section>")[0]
    comments = html.split("<h3>Arbejdsmiljø</h3>")[1].split("</section>")[0]
    assert "En grund" in reasons
    assert "En kommentar" not in reasons
    assert "En kommentar" in comments
    assert "En grund" not in comments


def test_a_repeat_round_shows_the_reasons_beside_the_item_asked_again(client):
    dialogue = make_dialogue(language="en")
    first = make_item_round(dialogue, RoundKind.CONSULTATION, items=ITEMS[:1])
    members = participants(dialogue, 8)
    for number, member in enumerate(members):  # divided: half strongly disagree, half agree
        consult(first, member, "15"[number % 2], f"Grund nummer {number}")
    close(first)
    first.is_published = True
    second = make_item_round(dialogue, RoundKind.CONSULTATION, items=ITEMS[:1], repeat_of=first.id)
    Session.flush()
    log_in_participant(client, members[0])
    html = client.get(f"/d/{dialogue.slug}/rounds/{second.id}/").get_data(as_text=True)
    item = html.split("<legend>Arbejdsmiljø</legend>")[1].split("</fieldset>")[0]
    assert "Your answer last time: 1." in item
    assert "The group last time:" in item
    assert "8 reasons for “Arbejdsmiljø”" in item
    assert all(f"Grund nummer {number}" in item for number in range(8))
    assert item.index('value="1" checked') > item.index("Grund nummer 7")  # read, then answer


def test_reasons_stay_off_the_repeat_round_until_the_earlier_results_are_published(client):
    dialogue = make_dialogue(language="en")
    first = make_item_round(dialogue, RoundKind.CONSULTATION, items=ITEMS[:1])
    members = participants(dialogue, 8)
    for number, member in enumerate(members):
        consult(first, member, "15"[number % 2], f"Grund nummer {number}")
    close(first)
    second = make_item_round(dialogue, RoundKind.CONSULTATION, items=ITEMS[:1], repeat_of=first.id)
    Session.flush()
    log_in_participant(client, members[0])
    html = client.get(f"/d/{dialogue.slug}/rounds/{second.id}/").get_data(as_text=True)
    assert "Your answer last time: 1." in html  # their own answer is always theirs to see
    assert "Grund nummer" not in html


def test_a_closed_repeat_round_shows_the_participants_answers_then_and_now(client):
    dialogue = make_dialogue(language="en")
    first = make_item_round(dialogue, RoundKind.CONSULTATION, items=ITEMS[:1])
    members = participants(dialogue, 5)
    for member in members:
        consult(first, member, "2")
    close(first)
    first.is_published = True
    second = make_item_round(dialogue, RoundKind.CONSULTATION, items=ITEMS[:1], repeat_of=first.id)
    consult(second, members[0], "4")
    close(second)
    Session.flush()
    log_in_participant(client, members[0])
    html = client.get(f"/d/{dialogue.slug}/rounds/{second.id}/").get_data(as_text=True)
    table = html.split("<caption>Your answers: last time and in this round</caption>")[1]
    row = table.split("</table>")[0].split('<th scope="row">Arbejdsmiljø</th>')[1]
    assert [cell.split(">")[1] for cell in row.split("</td>")[:2]] == ["2", "4"]
    log_in_participant(client, Session.get(Membership, members[1].id))
    html = client.get(f"/d/{dialogue.slug}/rounds/{second.id}/").get_data(as_text=True)
    assert "You did not answer this round." in html
    assert "Your answers: last time and in this round" not in html
