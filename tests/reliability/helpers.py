"""Helpers of the reliability tests: which backend the run uses, logging many people in."""

from __future__ import annotations

import os
import socket
from concurrent.futures import ThreadPoolExecutor

from benchmarks.harness import Participant


def run_backend() -> str:
    """The backend the run targets: "postgresql" or "sqlite"."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def log_in_and_open(person: Participant, token: str) -> None:
    """Log in by link and open the round page (for its CSRF token)."""
    person.log_in(token)
    person.open_round()


def logged_in(server, seeded, count: int) -> list[Participant]:
    """``count`` participants, logged in by link in parallel."""
    people = [
        Participant(server.base_url, seeded.slug, seeded.round_id, address=f"127.78.0.{n + 1}")
        for n in range(count)
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(log_in_and_open, people, seeded.tokens[:count]))

    return people


def redis_available(host: str = "127.0.0.1", port: int = 6379) -> bool:
    """Whether a Redis server answers on loopback."""
    try:
        with socket.create_connection((host, port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False
