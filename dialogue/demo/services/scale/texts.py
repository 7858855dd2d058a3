"""The load test's texts: the demo's sentences and the staff-dialogue file, recombined."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from dialogue.core.config import PROJECT_ROOT
from dialogue.demo.services import content, corpus

OPENERS = [
    "",
    "",
    "",
    "Jeg oplever, at ",
    "Efter min mening: ",
    "I min afdeling mærker vi, at ",
    "Set fra borgerens side: ",
    "Helt konkret: ",
]
#: Endings that vary the load test's texts further (empty: none).
ENDINGS = ["", "", "Det skal vi tage alvorligt.", "Det går ud over kvaliteten.", "Det haster."]
#: Topics of ``benchmarks/data/danish_staff_dialogue.csv`` → the demo's challenge topics.
CSV_TOPICS = {
    "arbejdsmiljø": "arbejdsmiljø",
    "digitalisering": "digitalisering",
    "borgerservice": "borgerne",
    "samarbejde": "samarbejde",
    "ledelse": "ledelse",
    "økonomi": "økonomi",
    "rekruttering": "rekruttering",
    "kompetenceudvikling": "rekruttering",
}


def _csv_texts() -> dict[str, list[str]]:
    path = PROJECT_ROOT / "benchmarks" / "data" / "danish_staff_dialogue.csv"
    texts: dict[str, list[str]] = {}
    if not Path(path).exists():
        return texts
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            topic = CSV_TOPICS.get(row["topic"])
            if topic:
                texts.setdefault(topic, []).append(row["text"].strip())
    return texts


class TextMaker:
    """Short Danish challenge texts for load tests: an opener, a demo text and an ending.

    A million texts need recombination; the demo itself uses each hand-written text once.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.topics = list(corpus.CHALLENGES)
        self.weights = [content.THEME_WEIGHTS.get(topic, 3) + 2 for topic in self.topics]
        extra = _csv_texts()
        self.statements = {
            topic: [s.rstrip(".") for s in texts] + [t.rstrip(".") for t in extra.get(topic, [])]
            for topic, texts in corpus.CHALLENGES.items()
        }

    def make(self) -> tuple[str, str]:
        """(topic, text)."""
        rng = self.rng
        topic = rng.choices(self.topics, weights=self.weights)[0]
        statement = rng.choice(self.statements[topic])
        opener = rng.choice(OPENERS)
        if opener:
            statement = opener + statement[0].lower() + statement[1:]
        return topic, f"{statement}. {rng.choice(ENDINGS)}".strip()


# --- the dialogue -----------------------------------------------------------------------------
