"""``dialogue add-staff``: how a dialogue gets its consultant and management."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import select

from dialogue.admin.cli import add_staff_command, create_dialogue_command
from dialogue.core.db import Session
from dialogue.core.models import AuditEvent, Membership, Person, Role
from tests.conftest import csrf_from
from tests.dialogue.test_second_factor import SECRET_PATTERN


def invoke(app, command, *args):
    return app.test_cli_runner().invoke(command, list(args))


def _dialogue(app):
    result = invoke(app, create_dialogue_command, "raad", "--title", "R", "--admin-email", "a@x.dk")
    assert result.exit_code == 0, result.output


def _member(email: str) -> Membership | None:
    return Session.scalar(select(Membership).join(Person).where(Person.email == email))


def test_adds_a_consultant_who_logs_in_by_the_printed_link(app, db_session, client):
    _dialogue(app)
    result = invoke(
        app, add_staff_command, "raad", "Konsulent@X.dk", "--role", "consultant", "--name", "Kim"
    )
    assert result.exit_code == 0, result.output
    membership = _member("konsulent@x.dk")
    assert membership.role is Role.CONSULTANT
    assert membership.person.name == "Kim"
    event = Session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.add"))
    assert event.details == {"role": "consultant"}
    token = re.search(r"/link/(\S+)", result.output).group(1)
    page = client.get(f"/link/{token}")
    assert page.status_code == 200
    form = {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)[1]}
    assert client.post(f"/link/{token}", data=form).status_code == 302
    assert client.get("/d/raad/workbench/").status_code == 403  # the second factor is still due
    setup = client.get("/login/code/setup")
    secret = SECRET_PATTERN.search(setup.text).group(1).replace(" ", "")
    code = {"csrf_token": csrf_from(setup), "code": pyotp.TOTP(secret).now()}
    assert client.post("/login/code/setup", data=code).status_code == 302
    assert client.get("/d/raad/workbench/").status_code == 200


def test_again_gives_a_fresh_link_and_no_second_membership(app, db_session):
    _dialogue(app)
    first = invoke(app, add_staff_command, "raad", "d@x.dk", "--role", "management")
    again = invoke(app, add_staff_command, "raad", "d@x.dk", "--role", "management")
    assert again.exit_code == 0, again.output
    assert re.search(r"/link/\S+", first.output)[0] != re.search(r"/link/\S+", again.output)[0]
    memberships = Session.scalars(select(Membership).join(Person).where(Person.email == "d@x.dk"))
    assert [m.role for m in memberships] == [Role.MANAGEMENT]
    assert (
        len(Session.scalars(select(AuditEvent).where(AuditEvent.action == "staff.add")).all()) == 1
    )


def test_refuses_another_role_an_unknown_dialogue_and_a_bad_address(app, db_session):
    _dialogue(app)
    for args in (
        ("raad", "a@x.dk", "--role", "consultant"),  # the admin already
        ("ingen", "k@x.dk", "--role", "consultant"),
        ("raad", "no-address", "--role", "consultant"),
        ("raad", "k@x.dk", "--role", "participant"),
    ):
        result = invoke(app, add_staff_command, *args)
        assert result.exit_code != 0, args
    assert _member("a@x.dk").role is Role.ADMIN
    assert _member("k@x.dk") is None
