"""The demo's Danish texts, written by hand as whole answers, one per participant's thought.

Each challenge sits under the topic its writer mostly meant (some touch two). The topic is for
the demo's consultant and the tests only: it is never stored with a contribution. Wording,
length and tone vary on purpose, as in a real dialogue: one-liners, short paragraphs, a few
typos and a bit of dialect. Nothing here is combined by a program; every text is used once.

The texts are data, kept in ``dialogue/demo/data/corpus_da.json``; this module reads them once.
"""

import json
from importlib import resources

_TEXTS = json.loads(
    (resources.files("dialogue.demo") / "data" / "corpus_da.json").read_text(encoding="utf-8")
)

#: Round 1: the challenges, by topic.
CHALLENGES: dict[str, tuple[str, ...]] = {
    topic: tuple(texts) for topic, texts in _TEXTS["challenges"].items()
}

#: A minority view that must not vanish into a large theme (tagged for the tests only).
MINORITY: tuple[str, ...] = tuple(_TEXTS["minority"])

#: Round 3: strengths and weaknesses of today's culture, by the round-2 topic they answer.
CULTURE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    topic: (tuple(strengths), tuple(weaknesses))
    for topic, (strengths, weaknesses) in _TEXTS["culture"].items()
}

#: Round 4: comments on the executive board's draft values, by value.
CONSULTATION_COMMENTS: dict[str, tuple[str, ...]] = {
    value: tuple(texts) for value, texts in _TEXTS["consultation_comments"].items()
}

#: Round 5: commitments, by scope (me, my team, across units); any final value may take any.
COMMITMENTS: dict[str, tuple[str, ...]] = {
    scope: tuple(texts) for scope, texts in _TEXTS["commitments"].items()
}

#: The minority view's topic: none of the eight, so a theme holding it is never named after it.
MINORITY_TOPIC = "tilgængelighed"


def challenge_topics() -> dict[str, str]:
    """Every round-1 text → the topic its writer meant; the demo's consultant reads by this."""
    topics = {text: topic for topic, texts in CHALLENGES.items() for text in texts}
    topics.update(dict.fromkeys(MINORITY, MINORITY_TOPIC))
    return topics
