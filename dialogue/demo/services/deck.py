"""Handing out the demo's hand-written texts so that none repeats before all have been used."""

from __future__ import annotations

import random
from collections.abc import Sequence


class Deck:
    """A shuffled pile of texts: each is drawn once before the pile is shuffled again.

    A real dialogue repeats itself only now and then; drawing at random with replacement would
    hand a few texts out many times and leave others unused.
    """

    def __init__(self, texts: Sequence[str], rng: random.Random) -> None:
        if not texts:
            raise ValueError("a deck needs texts")
        self.texts, self.rng, self.pile = list(texts), rng, []

    def draw(self) -> str:
        """The next text."""
        if not self.pile:
            self.pile = list(self.texts)
            self.rng.shuffle(self.pile)
        return self.pile.pop()
