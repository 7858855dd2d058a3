"""How fast identifying details are found and rounds are fingerprinted, at growing sizes.

    .venv/bin/python benchmarks/identifying.py [--texts 20000]

Prints texts scanned per second for Danish staff texts (tests/data/staff_da.txt, with every
tenth text given a phone number or an e-mail address) against name lists of 0, 230 and 100,000
people, and the time to build and hash the canonical form of rounds of 10,000 to 1,000,000
contributions (in memory: the database read comes on top). Pure Python, no database.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from pathlib import Path

from analysis.fingerprint import canonical_form, fingerprint
from analysis.identifying import name_keys, scan

TEXTS = Path(__file__).resolve().parents[1] / "tests" / "data" / "staff_da.txt"
FIRST = ["Anne", "Mette", "Lars", "Søren", "Bo", "Rose", "Mark", "Ida", "Jens", "Karen"]
LAST = ["Jensen", "Nielsen", "Hansen", "Dam", "Møller", "Holm", "Berg", "Skov", "Lund", "Friis"]


def corpus(count: int, rng: random.Random) -> list[str]:
    """``count`` staff texts; one in ten gets a phone number or an e-mail address."""
    base = TEXTS.read_text(encoding="utf-8").splitlines()
    texts = []
    for i in range(count):
        text = rng.choice(base)
        if i % 20 == 0:
            text += " Ring 22 33 44 55."
        elif i % 20 == 10:
            text += " Skriv til mig@example.dk."
        texts.append(text)
    return texts


def names(count: int, rng: random.Random) -> frozenset[str]:
    """A participant list of ``count`` people, with names that are also common words."""
    return name_keys(f"{rng.choice(FIRST)} {rng.choice(LAST)}{i}" for i in range(count))


def bench_scan(texts: list[str], rng: random.Random) -> None:
    """Texts scanned per second against lists of growing length."""
    for people in (0, 230, 100_000):
        keys = names(people, rng)
        start = time.perf_counter()
        found = sum(len(scan(text, keys)) for text in texts)
        seconds = time.perf_counter() - start
        print(
            f"scan      {len(texts):>9,} texts, {people:>7,} names: {len(texts) / seconds:>9,.0f} "
            f"texts/s ({seconds * 1e6 / len(texts):.0f} µs each), {found:,} details"
        )


def bench_fingerprint(rng: random.Random) -> None:
    """Seconds to build and hash the canonical form of growing rounds."""
    for size in (10_000, 100_000, 1_000_000):
        rows = [
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128))),
                "target": None,
                "data": {},
                "text": "Vi mangler tid til borgerne og til hinanden i hverdagen.",
                "day": "2026-11-03",
            }
            for _ in range(size)
        ]
        theme = {"label": "T", "description": "", "state": "accepted", "merged_into_id": None}
        themes = [{"id": i, **theme} for i in range(12)]
        links = [(i % 12, row["id"]) for i, row in enumerate(rows)]
        start = time.perf_counter()
        digest = fingerprint(canonical_form(1, "challenges", rows, themes, links))
        seconds = time.perf_counter() - start
        print(f"fingerprint {size:>9,} contributions: {seconds:6.2f} s ({digest[:12]}…)")


def main() -> None:
    """Run both measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=20_000)
    args = parser.parse_args()
    rng = random.Random(1)  # nosec B311 (benchmark data)
    bench_scan(corpus(args.texts, rng), rng)
    bench_fingerprint(rng)


if __name__ == "__main__":
    main()
