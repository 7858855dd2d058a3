"""The production access log keeps no id of what a participant worked on (TARGETS A9).

A real gunicorn with ``gunicorn.conf.py`` and its ``access_log_format`` writes to a file; a
participant logs in, writes, opens their contribution to edit it, views it under "my input" and
asks for a check. The log must show that those pages were used, never which contribution, round
or link: with the time of each line, an id would tell when its author was at work.
"""

from __future__ import annotations

import re
import time

import pytest

from benchmarks.harness import Participant, seed

pytestmark = pytest.mark.slow

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def wait_for_line(path, ending, timeout=10.0):
    """The access log's text, once a line holds ``ending`` (log lines are written late)."""
    deadline = time.monotonic() + timeout
    while True:
        text = path.read_text() if path.exists() else ""
        if ending in text or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


def test_access_log_blanks_contribution_round_and_link_ids(database, start_server, tmp_path):
    seeded = seed(database, 1)
    access_log = tmp_path / "access.log"
    server = start_server(database, workers=1, env={"GUNICORN_ACCESSLOG": str(access_log)})
    person = Participant(server.base_url, seeded.slug, seeded.round_id)
    person.log_in(seeded.tokens[0])
    assert person.submit("Kanariefugl i loggen", person.open_round()) == 303
    _, _, page = person._call("GET", person.round_path())
    contribution_id = UUID.search(page).group(0)
    visits = [
        ("GET", f"/d/{seeded.slug}/contributions/{contribution_id}/edit"),
        ("GET", f"/d/{seeded.slug}/my-input/{contribution_id}"),
        ("POST", f"/d/{seeded.slug}/my-input/{contribution_id}/check"),
    ]
    for method, path in visits:
        person._call(method, path, {"csrf_token": person.csrf} if method == "POST" else None)

    logged = wait_for_line(access_log, "/check HTTP/1.1")
    assert f"GET /d/{seeded.slug}/contributions/…/edit HTTP/1.1" in logged
    assert f"GET /d/{seeded.slug}/my-input/… HTTP/1.1" in logged
    assert f"POST /d/{seeded.slug}/my-input/…/check HTTP/1.1" in logged
    assert f"POST /d/{seeded.slug}/rounds/…/contributions HTTP/1.1" in logged
    assert "POST /link/… HTTP/1.1" in logged
    assert contribution_id not in logged
    assert seeded.tokens[0] not in logged
    assert f"/rounds/{seeded.round_id}/" not in logged
    assert "127.0.0.1" not in logged
