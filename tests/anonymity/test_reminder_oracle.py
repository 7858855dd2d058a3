"""TARGETS A8: a reminder cannot be used to ask "has this person contributed?".

A random half of the participants write through the real app; then the admin sends a reminder
through the real app. It must go to exactly every active participant, and what it writes to
the database must be the same for those who wrote and those who did not: a dump taken after it
would otherwise tell the halves apart, as the count of recipients would.
"""

from __future__ import annotations

import datetime as dt
import logging
import random

import sqlalchemy as sa

from dialogue.auth.services.logins import issue_login_link
from dialogue.core import migrate
from dialogue.core.db import Base, Session
from dialogue.core.models import Dialogue, Membership, Person, Role
from tests.anonymity.test_write_order import TEXTS, participate
from tests.conftest import csrf_from
from tests.dialogue.core.test_mail import running_smtp_server
from tests.factories import STAFF_PASSWORD, make_member, make_round
from tests.logins import staff_login

N = 12


def snapshot(engine) -> dict[str, dict]:
    """Every row of every table, by primary key."""
    rows = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            key = [column.name for column in table.primary_key.columns]
            rows[table.name] = {
                tuple(row[name] for name in key): dict(row)
                for row in connection.execute(sa.select(table)).mappings()
            }
    return rows


def changes(before, after) -> dict[str, dict]:
    """For each table: key → the names of the columns that differ (or "added" / "removed")."""
    changed = {}
    for table, rows in after.items():
        diff = {}
        for key, row in rows.items():
            old = before[table].get(key)
            if old is None:
                diff[key] = "added"
            elif old != row:
                diff[key] = frozenset(name for name in row if row[name] != old[name])
        diff |= dict.fromkeys(before[table].keys() - rows.keys(), "removed")
        if diff:
            changed[table] = diff
    return changed


def test_the_reminder_goes_to_everyone_and_writes_the_same_for_both_halves(
    fresh_database_url, app_factory, monkeypatch, caplog
):
    app = app_factory(fresh_database_url)
    migrate.upgrade(app)
    with app.app_context():
        dialogue = Dialogue(slug="paamind", title="Påmindelse", language="en")
        Session.add(dialogue)
        memberships = [
            Membership(
                person=Person(email=f"p{number:02}@example.org", name=f"Deltager {number:02}"),
                dialogue=dialogue,
                role=Role.PARTICIPANT,
            )
            for number in range(N)
        ]
        Session.add_all(memberships)
        Session.flush()
        disabled = memberships[-1]
        disabled.person.is_active = False
        round_ = make_round(dialogue)
        admin = make_member(dialogue, Role.ADMIN)
        tokens = [issue_login_link(m, dt.timedelta(days=7)) for m in memberships]
        Session.commit()
        ids = {m.id: m.person.email for m in memberships}
        participants = {m.person_id for m in memberships}
        admin_email, round_id = admin.person.email, round_.id
        Session.remove()
    active = list(ids)[:-1]
    writers = set(random.Random(8).sample(active, len(active) // 2))
    for number, membership_id in enumerate(active):
        if membership_id in writers:
            participate(app, "paamind", round_id, tokens[number], f"{TEXTS[number]} betyder meget")
    engine = app.extensions["db_engine"]
    before = snapshot(engine)

    caplog.set_level(logging.DEBUG)
    with running_smtp_server(app, monkeypatch) as smtp:
        client = app.test_client()
        assert staff_login(client, admin_email, STAFF_PASSWORD).status_code == 302
        page = client.get(f"/d/paamind/admin/participants/remind/{round_id}")
        response = client.post(
            f"/d/paamind/admin/participants/remind/{round_id}",
            data={f"round{round_id}-csrf_token": csrf_from(page)},
        )
        assert response.status_code == 302
    Session.remove()

    assert sorted(message["To"] for message in smtp.messages) == sorted(ids[m] for m in active)
    changed = changes(before, snapshot(engine))
    membership_changes = changed.pop("memberships")
    assert set(membership_changes) == {(m,) for m in active}
    wrote = {membership_changes[(m,)] for m in active if m in writers}
    silent = {membership_changes[(m,)] for m in active if m not in writers}
    assert wrote == silent == {frozenset({"token_hash", "token_expires_at"})}
    # The links sent earlier are kept working for every active participant alike: the used
    # ones are refused by the session store, which the dump does not hold.
    after = snapshot(engine)
    kept = changed.pop("kept_links")
    assert set(kept.values()) == {"added"}
    assert sorted(after["kept_links"][key]["membership_id"] for key in kept) == sorted(active)
    assert {after["kept_links"][key]["token_hash"] for key in kept} == {
        before["memberships"][(m,)]["token_hash"] for m in active
    }
    # The send log holds one row with the count, and nothing about anyone.
    [send] = [after["mail_sends"][key] for key in changed.pop("mail_sends")]
    assert (send["count"], send["round_id"]) == (len(active), round_id)
    assert send["kind"].value == "reminder"
    # Everything else the reminder wrote names staff only: the admin's own audit trail.
    assert set(changed) <= {"audit_events", "people"}, changed
    assert not {key[0] for key in changed.get("people", {})} & participants
    events = snapshot(engine)["audit_events"]
    [reminded] = [e for e in events.values() if e["action"] == "participants.reminded"]
    assert reminded["details"] == {"round_id": round_id, "count": len(active)}
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("dialogue"))
    assert "@" not in logged
