"""An admin changes only accounts of people whose every dialogue they administer (issue #16).

A person's account (name, being enabled, logins, second factor) is shared by all their
dialogues. The admin of one dialogue must not lock a consultant or an employee out of another
organisation's dialogue, nor rename them there: the accounts page refuses with a 403 and a
message, and a re-import keeps such names and says how many it kept.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dialogue.admin.services import importing
from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Membership, Person, Role
from tests.conftest import csrf_from
from tests.dialogue.admin.views.test_participants import upload
from tests.factories import STAFF_PASSWORD, make_dialogue, make_member
from tests.logins import staff_login

REFUSED = "deltager også i en dialog, som du ikke administrerer"


@pytest.fixture
def world(db_session):
    """Dialogue A with its admin; a consultant and a participant who also belong to dialogue B."""
    ours, theirs = make_dialogue(), make_dialogue()
    consultant = make_member(ours, Role.CONSULTANT)
    Session.add(Membership(person=consultant.person, dialogue=theirs, role=Role.CONSULTANT))
    participant = make_member(ours)
    Session.add(Membership(person=participant.person, dialogue=theirs, role=Role.PARTICIPANT))
    Session.flush()
    return {
        "ours": ours,
        "theirs": theirs,
        "admin": make_member(ours, Role.ADMIN),
        "consultant": consultant,
        "participant": participant,
        "only_ours": make_member(ours),
    }


def act(client, world, member, action):
    accounts = f"/d/{world['ours'].slug}/admin/accounts"
    csrf = csrf_from(client.get(accounts))
    return client.post(f"{accounts}/{member.id}/{action}", data={"csrf_token": csrf})


def audited(action):
    return Session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


@pytest.mark.parametrize(
    ("who", "action", "audit"),
    [
        ("participant", "disable", "disable_user"),
        ("consultant", "disable", "disable_user"),
        ("participant", "end-sessions", "end_sessions"),
        ("consultant", "reset-mfa", "reset_mfa"),
    ],
)
def test_an_account_shared_with_another_dialogue_is_refused(client, world, who, action, audit):
    staff_login(client, world["admin"].person.email, STAFF_PASSWORD)
    secret = world[who].person.totp_secret
    response = act(client, world, world[who], action)
    assert response.status_code == 403
    assert REFUSED in response.get_data(as_text=True)
    person = Session.get(Person, world[who].person_id)
    assert person.is_active
    assert person.totp_secret == secret
    assert audited(audit) == []


def test_an_account_of_this_dialogue_only_is_changed(client, world):
    staff_login(client, world["admin"].person.email, STAFF_PASSWORD)
    assert act(client, world, world["only_ours"], "disable").status_code == 302
    assert not Session.get(Person, world["only_ours"].person_id).is_active


def test_an_admin_of_both_dialogues_may_change_the_account(client, world):
    Session.add(Membership(person=world["admin"].person, dialogue=world["theirs"], role=Role.ADMIN))
    staff_login(client, world["admin"].person.email, STAFF_PASSWORD)
    assert act(client, world, world["consultant"], "disable").status_code == 302
    assert not Session.get(Person, world["consultant"].person_id).is_active


def names_file(world, name_suffix=" Ny"):
    rows = [
        (world[who].person.email, world[who].person.name + name_suffix)
        for who in ("participant", "only_ours")
    ]
    return ("email;navn\n" + "".join(f"{email};{name}\n" for email, name in rows)).encode()


def test_a_re_import_keeps_names_shared_with_another_dialogue(client, world):
    old = world["participant"].person.name
    only_ours = world["only_ours"].person.name
    staff_login(client, world["admin"].person.email, STAFF_PASSWORD)
    response = upload(client, world["ours"], names_file(world), "deltagere.csv")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 name was not changed" in page or "1 navn blev ikke ændret" in page
    Session.expire_all()
    assert Session.get(Person, world["participant"].person_id).name == old
    assert Session.get(Person, world["only_ours"].person_id).name == only_ours + " Ny"
    (event,) = audited("participants.imported")
    assert event.details["names_kept"] == 1


def test_the_operator_renames_anybody(app_context, world):
    result = importing.import_participants(
        world["ours"], names_file(world), "deltagere.csv", actor_id=None
    )
    assert result.names_kept == 0
    assert Session.get(Person, world["participant"].person_id).name.endswith(" Ny")


def test_the_page_offers_no_buttons_for_shared_accounts(client, world):
    staff_login(client, world["admin"].person.email, STAFF_PASSWORD)
    html = client.get(f"/d/{world['ours'].slug}/admin/accounts").get_data(as_text=True)
    note = "Deles med en dialog, som du ikke administrerer"
    assert html.count(note) == 2  # the consultant and the participant
    assert f"/{world['participant'].id}/disable" not in html
    assert f"/{world['consultant'].id}/disable" not in html
    assert f"/{world['only_ours'].id}/disable" in html
