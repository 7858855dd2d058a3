"""Ids are blanked in every path a log line holds (TARGETS A9).

gunicorn's access log is tested in ``tests/reliability/test_access_log.py``.
"""

from __future__ import annotations

import http.client
import logging
import threading
import uuid

import pytest
from werkzeug.serving import make_server

from dialogue.core.log_privacy import redact_path

CONTRIBUTION = "d133dbac-ecb2-4d13-9759-3736419c42e6"


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (
            f"/d/byraad-2026/contributions/{CONTRIBUTION}/edit",
            "/d/byraad-2026/contributions/…/edit",
        ),
        (f"/d/x/my-input/{CONTRIBUTION}/check", "/d/x/my-input/…/check"),
        ("/d/x/rounds/12/contributions", "/d/x/rounds/…/contributions"),
        ("/d/x/admin/participants/jobs/" + "ab" * 16, "/d/x/admin/participants/jobs/…"),
        ("/link/Zq3-rT_9aa", "/link/…"),
        ("/d/x/my-input", "/d/x/my-input"),
        (
            '[07/Dec/2026:01:45:34 +0000] "GET /d/x/rounds/3/ HTTP/1.1" 200 12 3ms',
            '[07/Dec/2026:01:45:34 +0000] "GET /d/x/rounds/…/ HTTP/1.1" 200 12 3ms',
        ),
    ],
)
def test_ids_are_blanked_and_the_shape_of_the_path_kept(path, logged):
    assert redact_path(path) == logged


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_development_server_logs_requests_without_ids(app):
    collected = Collect()
    werkzeug_log = logging.getLogger("werkzeug")
    werkzeug_log.addHandler(collected)
    werkzeug_log.setLevel(logging.INFO)
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    contribution = uuid.uuid4()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", f"/d/x/contributions/{contribution}/edit")
        assert connection.getresponse().status in (302, 404)
    finally:
        connection.close()
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        werkzeug_log.removeHandler(collected)
    logged = "\n".join(collected.lines)
    assert "/d/x/contributions/…/edit" in logged
    assert str(contribution) not in logged
