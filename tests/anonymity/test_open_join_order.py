"""TARGETS A11 for open dialogues: joining writes nothing in an order that pairs people with texts.

Twelve people join an open dialogue through its join link, one after another, by the link
mailed to their address; then each logs in with the invitation they got on admission and
writes one text, in the order they joined (the worst case: the first to join writes first).
The adversary of ``test_write_order`` holds the database and orders every table naming a person
and the new texts by every signal it keeps (SQLite's rowid, PostgreSQL's ctid and xmin, each
column). It must do no better than chance: the memberships of one cohort are written at once,
in a random order, so the people table is not in joining order either.

The dialogue's minimum group size is the cohort, twelve here: a copy of the database tells at
most which cohort someone joined in, a group as large as any report may show.
"""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

from dialogue.core import migrate
from dialogue.core.anonymity import author_pseudonym
from dialogue.core.db import Session
from dialogue.core.models import Dialogue, Person
from tests.anonymity.test_write_order import (
    TEXTS,
    assert_no_better_than_chance,
    attack,
    participate,
)
from tests.conftest import TEST_SECRETS, csrf_from
from tests.factories import make_round

N = 12
#: The order in which people 0..11 join, unrelated to their addresses' own order.
JOIN_ORDER = [7, 2, 10, 0, 5, 11, 3, 8, 1, 9, 4, 6]
JOIN_LINK = re.compile(r"/join/open/([\w.-]+)")
LINK = re.compile(r"/link/([\w-]+)")


def address(number: int) -> str:
    return f"ny{number:02}@kommune.example"


def mailed(outbox: Path, to: str, pattern: re.Pattern) -> str:
    """The one link matching ``pattern`` in the mails to ``to``; the mail is then removed."""
    for path in outbox.glob("*.eml"):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        body = message.get_body(preferencelist=("plain",)).get_content()
        if message["To"] == to and (found := pattern.search(body)):
            path.unlink()
            return found[1]
    raise AssertionError(f"no such link was mailed to {to}")


def join(app, email: str) -> None:
    """Ask on the join page, open the mailed link and press its button."""
    client = app.test_client()
    page = client.get("/join/open")
    asked = client.post("/join/open", data={"csrf_token": csrf_from(page), "email": email})
    assert asked.status_code == 303
    link = f"/join/open/{mailed(Path(app.config['MAIL_OUTBOX']), email, JOIN_LINK)}"
    confirm = client.get(link)
    assert client.post(link, data={"csrf_token": csrf_from(confirm)}).status_code in (200, 302)


def test_joining_order_links_nobody_to_their_text(fresh_database_url, app_factory):
    app = app_factory(fresh_database_url, JOBS_RUNNER="inline")
    migrate.upgrade(app)
    with app.app_context():
        dialogue = Dialogue(
            slug="open", title="Open", language="en", open_join=True, min_group_size=N
        )
        Session.add(dialogue)
        Session.flush()
        round_id, dialogue_id = make_round(dialogue).id, dialogue.id
        Session.commit()
        Session.remove()

    for number in JOIN_ORDER[:-1]:
        join(app, address(number))
        with app.app_context():
            assert Session.query(Person).count() == 0  # nothing naming them while they wait
            Session.remove()
    join(app, address(JOIN_ORDER[-1]))
    outbox = Path(app.config["MAIL_OUTBOX"])
    for position, number in enumerate(JOIN_ORDER):
        token = mailed(outbox, address(number), LINK)
        participate(app, "open", round_id, token, f"{TEXTS[position]} er vigtigst for os")

    with app.app_context():
        people = {person.email: person.id for person in Session.query(Person)}
        Session.remove()
    assert sorted(people) == sorted(address(number) for number in range(N))
    by_id = sorted(people, key=people.get)
    assert by_id != [address(number) for number in JOIN_ORDER]  # 1 in 12! by chance
    participants = {person_id: email for email, person_id in people.items()}
    authors = {
        author_pseudonym(TEST_SECRETS["ANON_SECRET"], dialogue_id, person_id): person_id
        for person_id in people.values()
    }
    assert_no_better_than_chance(attack(app.extensions["db_engine"], participants, authors))
