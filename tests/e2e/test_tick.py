"""``dialogue tick`` as cron runs it: the installed command, twice, sends a due reminder once."""

from __future__ import annotations

import csv
import datetime as dt

import sqlalchemy as sa

from tests.e2e.conftest import Site


def test_two_ticks_send_a_due_reminder_once_to_every_active_participant(
    fresh_database_url, tmp_path
):
    site = Site(fresh_database_url, tmp_path / "instance")
    site.instance.mkdir()
    with open(tmp_path / "people.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "name"])
        writer.writerows([[f"p{n}@x.example", f"Deltager {n}"] for n in range(3)])
    # The first round opened five days ago and closes in one to two days.
    start = (dt.date.today() - dt.timedelta(days=5)).isoformat()
    for args in (
        ("db", "upgrade"),
        ("create-dialogue", "paa", "--title", "Tick", "--admin-email", "a@x.example")
        + ("--start", start, "--language", "en"),
        ("import-participants", "paa", tmp_path / "people.csv"),
    ):
        result = site.run(*args)
        assert result.returncode == 0, result.stderr
    engine = sa.create_engine(fresh_database_url)
    with engine.begin() as connection:
        round_id = connection.scalar(sa.text("SELECT id FROM rounds WHERE position = 1"))
        # What the admin sets on the participants page: due three days before, and one hour.
        for hours in (72, 1):
            connection.execute(
                sa.text(
                    "INSERT INTO reminder_schedules (round_id, hours_before_close) "
                    "VALUES (:round_id, :hours)"
                ),
                {"round_id": round_id, "hours": hours},
            )

    first, second = site.run("tick"), site.run("tick")

    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    assert first.stdout.strip() == "paa, round 1: reminder sent to 3 participants"
    assert second.stdout.strip() == ""
    mails = sorted((site.instance / "outbox").glob("*.eml"))
    assert len(mails) == 3
    assert all("Reminder: Tick" in path.read_text(encoding="utf-8") for path in mails)
    with engine.connect() as connection:
        sends = connection.execute(
            sa.text("SELECT kind, count, actor_id, scheduled FROM mail_sends")
        ).all()
    engine.dispose()
    assert [tuple(row) for row in sends] == [("reminder", 3, None, True)]
