"""``dialogue delete`` and ``dialogue purge`` as an operator runs them: the installed script.

The database is read afterwards table by table, every table of the schema, so a table added
later is covered by the same check; on SQLite the file itself is searched for the deleted
texts and addresses too (TARGETS A10).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, make_url, select
from sqlalchemy.orm import Session

from dialogue.core.db import Base
from dialogue.core.models import AuditEvent, Contribution, Dialogue, Membership, Person
from tests.e2e.conftest import Site

SLUG = "vaerdier"
OTHER = "andet"


def all_rows(site: Site) -> dict[str, set[str]]:
    """Every row of every table, each as the JSON of its values."""
    engine = create_engine(site.database_url)
    try:
        with engine.connect() as connection:
            return {
                table.name: {
                    json.dumps(list(row), sort_keys=True, default=str)
                    for row in connection.execute(select(table))
                }
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def demo_canaries(site: Site) -> list[bytes]:
    """Texts and addresses that only the demo holds: none may be left in the file."""
    engine = create_engine(site.database_url)
    try:
        with Session(engine) as session:
            texts = session.scalars(select(Contribution.body).where(Contribution.body.is_not(None)))
            emails = session.scalars(
                select(Person.email).where(Person.email != "admin@demo.example")
            )
            return [value.encode() for value in [*list(texts)[:20], *list(emails)[:20]]]
    finally:
        engine.dispose()


def canaries_in_the_file(path: str, canaries: list[bytes]) -> list[bytes]:
    """The canaries still in the SQLite file or its write-ahead log (TARGETS A10)."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = Path(path).read_bytes()
    wal = Path(path + "-wal")
    if wal.exists():
        data += wal.read_bytes()
    return [canary for canary in canaries if canary in data]


def test_delete_asks_then_leaves_only_the_other_dialogue(writable_demo):
    site = writable_demo
    demo_only = all_rows(site)
    # Another dialogue whose admin is also the demo's: that person stays.
    created = site.run(
        "create-dialogue", OTHER, "--title", "Andet", "--admin-email", "admin@demo.example"
    )
    assert created.returncode == 0, created.stderr
    with_other = all_rows(site)
    url = make_url(site.database_url)
    canaries = demo_canaries(site)
    if url.get_backend_name() == "sqlite":
        assert canaries_in_the_file(url.database, canaries) == canaries  # the search finds them
    added = {name: with_other[name] - demo_only[name] for name in with_other}

    declined = site.run("delete", SLUG, stdin="n\n")
    assert declined.returncode != 0
    assert all_rows(site) == with_other

    deleted = site.run("delete", SLUG, stdin="y\n")
    assert deleted.returncode == 0, deleted.stderr
    assert "Traceback" not in deleted.stderr
    assert f"Deleted the dialogue {SLUG}:" in deleted.stdout
    assert "contributions: " in deleted.stdout

    # Only the other dialogue's rows are left, and its admin, who was the demo's too.
    remaining = all_rows(site)
    people = remaining.pop("people")
    added.pop("people")
    assert remaining == added
    (admin,) = (json.loads(row) for row in people)
    assert "admin@demo.example" in admin

    if url.get_backend_name() == "sqlite":
        assert not canaries_in_the_file(url.database, canaries)

    again = site.run("delete", SLUG, "--yes")
    assert again.returncode != 0
    assert again.stderr.strip().splitlines() == [f"Error: no dialogue '{SLUG}'"]


def test_purge_waits_for_the_retention_period_then_keeps_results_anonymously(writable_demo):
    site = writable_demo
    nothing = site.run("purge")
    assert nothing.returncode == 0, nothing.stderr
    assert nothing.stdout.strip() == "No dialogue is due for purging."

    engine = create_engine(site.database_url)
    with Session(engine) as session:
        dialogue = session.scalar(select(Dialogue).where(Dialogue.slug == SLUG))
        dialogue.retention_days = 1
        long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        for number, round_ in enumerate(dialogue.rounds):
            round_.opens_at = long_ago + dt.timedelta(days=7 * number)
            round_.closes_at = long_ago + dt.timedelta(days=7 * number + 6)
        published = {round_.id for round_ in dialogue.rounds if round_.is_published}
        session.commit()

    purged = site.run("purge")
    assert purged.returncode == 0, purged.stderr
    assert f"Purged the dialogue {SLUG}:" in purged.stdout
    with Session(engine) as session:
        dialogue = session.scalar(select(Dialogue).where(Dialogue.slug == SLUG))
        assert dialogue.purged_on is not None
        assert {round_.id for round_ in dialogue.rounds} == published
        assert session.scalars(select(Membership)).all() == []
        assert session.scalars(select(Person)).all() == []
        assert session.scalars(select(AuditEvent)).all() == []
    engine.dispose()
    assert site.run("purge").stdout.strip() == "No dialogue is due for purging."  # once only
    verified = site.run("verify", SLUG)  # what was published and kept is as it was published
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "CHANGED" not in verified.stdout
