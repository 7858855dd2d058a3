"""How long /login/link takes to answer for a known and for an unknown address.

The answer must not tell whether an address belongs to a participant (ASVS 6.3.8): the view
only hands the address to a background thread, which looks it up, makes the link and mails
it. This script measures the request, in-process through Flask's test client (so the figures
are the app's own work, without a network), with the production thread runner and the
outbox, on a fresh SQLite instance::

    .venv/bin/python benchmarks/link_request_timing.py [--requests 300]

It prints the median and 95th percentile of each and their difference.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def main() -> None:
    """Measure, then print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="per kind of address")
    arguments = parser.parse_args()

    from dialogue import create_app
    from dialogue.core import migrate
    from dialogue.core.db import Session
    from dialogue.core.models import Dialogue, Membership, Person, Role

    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder)
        app = create_app(
            {
                "INSTANCE_PATH": str(instance),
                "DATABASE_URL": f"sqlite:///{instance / 'bench.db'}",
                "RATELIMIT_ENABLED": False,
                "JOBS_RUNNER": "thread",
                "SECRET_KEY": "load-test-secret-key-" + "k" * 32,
                "ANON_SECRET": "load-test-anon-secret-" + "a" * 32,
            }
        )
        migrate.upgrade(app)
        with app.app_context():
            dialogue = Dialogue(slug="bench", title="Bench")
            Session.add(
                Membership(
                    person=Person(email="known@example.org", name="Known Person"),
                    dialogue=dialogue,
                    role=Role.PARTICIPANT,
                )
            )
            Session.commit()
            Session.remove()
        client = app.test_client()
        token = CSRF.search(client.get("/login/link").get_data(as_text=True))[1]
        timings: dict[str, list[float]] = {"known": [], "unknown": []}
        for number in range(2 * arguments.requests):
            kind = "known" if number % 2 else "unknown"
            address = "known@example.org" if kind == "known" else f"nobody{number}@example.org"
            start = time.perf_counter()
            response = client.post("/login/link", data={"csrf_token": token, "email": address})
            timings[kind].append(time.perf_counter() - start)
            assert response.status_code == 302, response.status_code
        time.sleep(2)  # let the mail threads finish before the folder goes
        for kind, values in timings.items():
            values.sort()
            print(
                f"{kind:8} median {statistics.median(values) * 1000:6.2f} ms   "
                f"p95 {values[int(len(values) * 0.95)] * 1000:6.2f} ms   n={len(values)}"
            )
        difference = statistics.median(timings["known"]) - statistics.median(timings["unknown"])
        print(f"median difference (known − unknown): {difference * 1000:+.2f} ms")


if __name__ == "__main__":
    main()
