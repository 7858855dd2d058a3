"""A participant's own actions write nothing that names them to the backed-up database (A11).

The request hands the address to a background thread, as in production (the thread runner,
not the tests' inline one), and answers at once: the lookup, the new link and the mail happen
after the answer, the same work for a known address as for an unknown one.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from email import policy
from email.parser import BytesParser
from pathlib import Path

import sqlalchemy as sa

from dialogue.auth.services.logins import issue_login_link
from dialogue.core import migrate
from dialogue.core.db import Base, Session
from dialogue.core.models import Dialogue, Membership, Person, Role
from tests.conftest import csrf_from
from tests.factories import make_round

LINK = re.compile(r"/link/[\w-]+")


def rows(engine) -> dict[str, list]:
    with engine.connect() as connection:
        return {
            table.name: sorted(map(tuple, connection.execute(sa.select(table))), key=repr)
            for table in Base.metadata.sorted_tables
        }


def mailed_link(outbox: Path, address: str) -> str | None:
    for path in outbox.glob("*.eml"):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if message["To"] == address:
            return LINK.search(message.get_body(preferencelist=("plain",)).get_content())[0]
    return None


def log_in(client, link: str) -> int:
    confirm = client.get(link)
    if confirm.status_code != 200:
        return confirm.status_code
    return client.post(link, data={"csrf_token": csrf_from(confirm)}).status_code


def test_asking_for_a_link_writes_no_row_and_the_link_logs_in_once(threaded_app):
    app = threaded_app
    with app.app_context():
        dialogue = Dialogue(slug="link", title="Link", language="en")
        membership = Membership(
            person=Person(email="kendt@example.org", name="Kendt Person"),
            dialogue=dialogue,
            role=Role.PARTICIPANT,
        )
        Session.add(membership)
        Session.flush()
        invitation = issue_login_link(membership, dt.timedelta(days=7))
        Session.commit()
        Session.remove()
    engine = app.extensions["db_engine"]
    before = rows(engine)
    client = app.test_client()
    for address in ("kendt@example.org", "ukendt@example.org"):
        form = client.get("/login/link")
        answer = client.post("/login/link", data={"csrf_token": csrf_from(form), "email": address})
        assert answer.status_code == 302

    outbox = Path(app.config["MAIL_OUTBOX"])
    deadline = time.monotonic() + 30
    while (link := mailed_link(outbox, "kendt@example.org")) is None:
        assert time.monotonic() < deadline, "the new link was never mailed"
        time.sleep(0.1)
    assert mailed_link(outbox, "ukendt@example.org") is None
    assert rows(engine) == before  # no job row, no rewritten membership, nothing

    assert log_in(app.test_client(), link) == 302
    assert log_in(app.test_client(), link) == 410  # used up
    assert log_in(app.test_client(), f"/link/{invitation}") == 302  # the invitation still works
    assert log_in(app.test_client(), f"/link/{invitation}") == 410
    assert rows(engine) == before


#: Tables a participant's own actions may write: their input, keyed by random ids, and stored
#: results that name nobody. Everything else must come out of a visit unchanged.
CONTENT = {
    "contributions",
    "member_checks",
    "contribution_embeddings",
    "identifying_spans",
    "round_results_cache",
}


def test_a_whole_visit_changes_nothing_but_content(fresh_database_url, app_factory):
    """Log in, write, edit, withdraw, write again: no table that names a person moves."""
    app = app_factory(fresh_database_url)
    migrate.upgrade(app)
    with app.app_context():
        dialogue = Dialogue(slug="besoeg", title="Besøg", language="en")
        membership = Membership(
            person=Person(email="besoeg@example.org", name="Besøgende Person"),
            dialogue=dialogue,
            role=Role.PARTICIPANT,
        )
        Session.add(membership)
        Session.flush()
        round_ = make_round(dialogue)
        invitation = issue_login_link(membership, dt.timedelta(days=7))
        round_id = round_.id
        Session.commit()
        Session.remove()
    engine = app.extensions["db_engine"]
    before = rows(engine)

    client = app.test_client()
    assert log_in(client, f"/link/{invitation}") == 302
    write(client, round_id, "Første udgave")
    [contribution] = rows(engine)["contributions"]
    contribution_id = uuid.UUID(str(contribution[0]))
    edit = f"/d/besoeg/contributions/{contribution_id}/edit"
    csrf = csrf_from(client.get(edit))
    assert client.post(edit, data={"csrf_token": csrf, "body": "Anden udgave"}).status_code == 303
    withdraw = f"/d/besoeg/contributions/{contribution_id}/withdraw"
    assert client.post(withdraw, data={"csrf_token": csrf}).status_code == 303
    write(client, round_id, "Tredje udgave")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/"))})

    after = rows(engine)
    assert len(after["contributions"]) == 1
    assert {name: table for name, table in after.items() if name not in CONTENT} == {
        name: table for name, table in before.items() if name not in CONTENT
    }


def write(client, round_id: int, body: str) -> None:
    page = client.get(f"/d/besoeg/rounds/{round_id}/")
    nonce = re.search(r'name="nonce"[^>]*value="([^"]+)"', page.get_data(as_text=True))[1]
    response = client.post(
        f"/d/besoeg/rounds/{round_id}/contributions",
        data={"csrf_token": csrf_from(page), "nonce": nonce, "body": body},
    )
    assert response.status_code == 303
