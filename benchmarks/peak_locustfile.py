"""The participant peak (TARGETS R6) for locust; ``benchmarks/peak.py`` runs it headless.

``PeakParticipant`` logs in once by link, then, after each think time, does one thing: 80 % of
the tasks are page views (the dialogue's page, the round's page, "my input"), 20 % are
submissions (one POST of a new contribution with a fresh form nonce). At the end, the quitting
hook checks the thresholds and sets locust's exit code:

- no 5xx answer, no timeout or dropped connection (any failure at all fails the run);
- 95th percentile of page views <= ``PEAK_PAGE_P95_MS`` (500);
- 95th percentile of submissions <= ``PEAK_SUBMIT_P95_MS`` (1000);
- 99th percentile of every request <= ``PEAK_P99_MS`` (2000).

A JSON summary goes to ``PEAK_SUMMARY``; acknowledged texts to ``LOAD_RESULT`` (see
``locustfile.py``, whose token and result plumbing this file reuses). Settings from the
environment: ``LOAD_TOKENS``, ``LOAD_SLUG``, ``LOAD_ROUND``, ``PEAK_WAIT_MIN``/``MAX`` (think
time, default 3–7 s), ``PEAK_TIMEOUT`` (seconds before a request counts as timed out, 10).
"""

from __future__ import annotations

import json
import os
import secrets

from locust import between, events, task
from locust.stats import StatsEntry

from benchmarks import locustfile as base

SUBMIT = "/d/[slug]/rounds/[id]/contributions (submit)"
THRESHOLDS = {
    "page_p95_ms": float(os.environ.get("PEAK_PAGE_P95_MS", "500")),
    "submit_p95_ms": float(os.environ.get("PEAK_SUBMIT_P95_MS", "1000")),
    "p99_ms": float(os.environ.get("PEAK_P99_MS", "2000")),
}


class PeakParticipant(base._LoggedIn):
    """One of the 230 participants at the peak of a round."""

    wait_time = between(
        float(os.environ.get("PEAK_WAIT_MIN", "3")), float(os.environ.get("PEAK_WAIT_MAX", "7"))
    )
    network_timeout = float(os.environ.get("PEAK_TIMEOUT", "10"))
    connection_timeout = float(os.environ.get("PEAK_TIMEOUT", "10"))

    def on_start(self) -> None:
        """Log in once, by link, and keep the round's form (CSRF token)."""
        self.log_in()
        self.form = self.open_round()

    @task(3)
    def dashboard(self) -> None:
        """The dialogue's page."""
        self.client.get(f"/d/{self.slug}/", name="/d/[slug]/ (dashboard)", headers=self.headers)

    @task(4)
    def round_page(self) -> None:
        """The round's page (also refreshes the CSRF token for the next submission)."""
        form = self.open_round()
        if form is not None:
            self.form = form

    @task(1)
    def my_input(self) -> None:
        """Everything this participant wrote so far."""
        self.client.get(f"/d/{self.slug}/my-input", name="/d/[slug]/my-input", headers=self.headers)

    @task(2)
    def contribute(self) -> None:
        """One new contribution (a fresh nonce, as a freshly rendered form would carry)."""
        if self.form is None:
            self.form = self.open_round()
            if self.form is None:
                return
        self.submit(self.form[0], secrets.token_urlsafe(16))


def _merged(entries: list[StatsEntry], name: str, stats) -> StatsEntry:
    merged = StatsEntry(stats, name, "")
    for entry in entries:
        merged.extend(entry)
    return merged


def summarise(environment) -> dict:
    """Counts and percentiles by class of request, failures by kind, the verdict."""
    stats = environment.stats
    entries = list(stats.entries.values())
    pages = _merged([e for e in entries if e.name != SUBMIT], "pages", stats)
    submits = _merged([e for e in entries if e.name == SUBMIT], "submits", stats)
    total = stats.total
    errors = [(str(e.error), e.occurrences) for e in stats.errors.values()]
    server_errors = sum(n for text, n in errors if "answered 5" in text or "code=5" in text)
    timeouts = sum(n for text, n in errors if "imeout" in text or "timed out" in text)

    def pct(entry: StatsEntry, q: float) -> float:
        return float(entry.get_response_time_percentile(q) or 0) if entry.num_requests else 0.0

    summary = {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": round(total.total_rps, 1),
        "server_errors": server_errors,
        "timeouts": timeouts,
        "errors": errors,
        "pages": {
            "count": pages.num_requests,
            "p50_ms": pct(pages, 0.5),
            "p95_ms": pct(pages, 0.95),
            "p99_ms": pct(pages, 0.99),
            "max_ms": float(pages.max_response_time or 0),
        },
        "submits": {
            "count": submits.num_requests,
            "p50_ms": pct(submits, 0.5),
            "p95_ms": pct(submits, 0.95),
            "p99_ms": pct(submits, 0.99),
            "max_ms": float(submits.max_response_time or 0),
        },
        "all": {"p95_ms": pct(total, 0.95), "p99_ms": pct(total, 0.99)},
        "thresholds": THRESHOLDS,
    }
    broken = []
    if total.num_failures:
        broken.append(
            f"{total.num_failures} failed requests ({server_errors} 5xx, {timeouts} timeouts)"
        )
    if summary["pages"]["p95_ms"] > THRESHOLDS["page_p95_ms"]:
        broken.append(f"page p95 {summary['pages']['p95_ms']:.0f} ms")
    if summary["submits"]["p95_ms"] > THRESHOLDS["submit_p95_ms"]:
        broken.append(f"submit p95 {summary['submits']['p95_ms']:.0f} ms")
    if summary["all"]["p99_ms"] > THRESHOLDS["p99_ms"]:
        broken.append(f"p99 {summary['all']['p99_ms']:.0f} ms")
    if not submits.num_requests or not pages.num_requests:
        broken.append("no traffic of one kind")
    summary["broken"] = broken
    return summary


@events.quitting.add_listener
def _check_thresholds(environment, **_kwargs):
    summary = summarise(environment)
    path = os.environ.get("PEAK_SUMMARY")
    if path:
        with open(path, "w") as handle:
            json.dump(summary, handle, indent=2)
    environment.process_exit_code = 1 if summary["broken"] else 0
