"""The admin's commands that set a dialogue up.

``dialogue create-dialogue``: a new dialogue shaped like the reference case, and its admin.
``dialogue add-staff``: how a dialogue gets its consultant and management.
"""

from __future__ import annotations

import datetime as dt
import re

import pyotp
from flask_babel import force_locale, gettext
from sqlalchemy import select

from dialogue.admin.cli import add_staff_command, create_dialogue_command
from dialogue.core.db import Session
from dialogue.core.models import (
    AuditEvent,
    Dialogue,
    Membership,
    Person,
    Role,
    RoundKind,
    RoundState,
)
from rounds.lifecycle.schedule import to_local
from tests.conftest import csrf_from
from tests.dialogue.auth.services.test_totp import SECRET_PATTERN


def invoke(app, *args):
    return app.test_cli_runner().invoke(create_dialogue_command, list(args))


def test_creates_five_weekly_rounds_and_an_admin_with_a_link(app, db_session, client):
    result = invoke(
        app,
        "vaerdier-2027",
        "--title",
        "Fælles værdier",
        "--admin-email",
        "Facilitator@Example.org",
        "--public",
        "--start",
        "2027-03-22",
    )
    assert result.exit_code == 0, result.output
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == "vaerdier-2027"))
    assert dialogue.is_public
    assert dialogue.language == "da"
    kinds = [r.kind for r in dialogue.rounds]
    assert kinds == [
        RoundKind.CHALLENGES,
        RoundKind.PRIORITISATION,
        RoundKind.CULTURE,
        RoundKind.CONSULTATION,
        RoundKind.ACTION,
    ]
    opens = [to_local(r.opens_at, dialogue.timezone) for r in dialogue.rounds]
    assert opens[0] == dt.datetime(2027, 3, 22, 8, 0)
    # A week each, back to back, at 08:00 local time even across the change to summer time.
    for earlier, later in zip(dialogue.rounds, dialogue.rounds[1:], strict=False):
        assert later.opens_at == earlier.closes_at
    assert all(o.hour == 8 for o in opens)
    with app.test_request_context(), force_locale("da"):
        assert dialogue.rounds[0].title == gettext("Challenges")  # in the dialogue's language
    admin = Session.scalar(select(Membership).where(Membership.dialogue_id == dialogue.id))
    assert admin.role is Role.ADMIN
    assert admin.person.email == "facilitator@example.org"
    assert Session.scalar(select(AuditEvent).where(AuditEvent.action == "dialogue.create"))
    link = re.search(r"http://\S+/link/(\S+)", result.output)
    assert link
    # The link logs the admin in, once.
    token = link.group(1)
    page = client.get(f"/link/{token}")
    assert page.status_code == 200


def test_english_dialogue_gets_english_rounds_and_is_private_by_default(app, db_session):
    result = invoke(
        app, "values", "--title", "Values", "--admin-email", "a@example.org", "--language", "en"
    )
    assert result.exit_code == 0, result.output
    dialogue = Session.scalar(select(Dialogue).where(Dialogue.slug == "values"))
    assert not dialogue.is_public
    assert dialogue.rounds[0].title == "Challenges"
    assert dialogue.rounds[0].state_at(dialogue.rounds[0].opens_at) is RoundState.OPEN


def test_refuses_a_bad_or_taken_slug_and_stores_nothing(app, db_session):
    assert invoke(app, "ok-slug", "--title", "T", "--admin-email", "a@example.org").exit_code == 0
    for slug in ("ok-slug", "Not A Slug", "-x", "x" * 81):
        result = invoke(app, slug, "--title", "T", "--admin-email", "b@example.org")
        assert result.exit_code != 0, slug
        assert "Error" in result.output
    assert invoke(app, "other", "--title", "T", "--admin-email", "no-at-sign").exit_code != 0
    count = Session.scalars(select(Dialogue).where(Dialogue.slug.in_(["other", "x" * 81]))).all()
    assert count == []


# --- add-staff ---------------------------------------------------------------------------------


def invoke_command(app, command, *args):
    return app.test_cli_runner().invoke(command, list(args))


def _dialogue(app):
    result = invoke_command(
        app, create_dialogue_command, "raad", "--title", "R", "--admin-email", "a@x.dk"
    )
    assert result.exit_code == 0, result.output


def _member(email: str) -> Membership | None:
    return Session.scalar(select(Membership).join(Person).where(Person.email == email))


def test_adds_a_consultant_who_logs_in_by_the_printed_link(app, db_session, client):
    _dialogue(app)
    result = invoke_command(
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
    first = invoke_command(app, add_staff_command, "raad", "d@x.dk", "--role", "management")
    again = invoke_command(app, add_staff_command, "raad", "d@x.dk", "--role", "management")
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
        result = invoke_command(app, add_staff_command, *args)
        assert result.exit_code != 0, args
    assert _member("a@x.dk").role is Role.ADMIN
    assert _member("k@x.dk") is None
