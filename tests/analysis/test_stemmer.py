"""The C stemmer the analysis uses gives the same stems as Snowball's pure-Python algorithms.

``snowballstemmer`` hands out PyStemmer's C stemmer when it is installed (stemming went from
most of the vectoriser's time at 10,000 texts to about 0.01 s); a version of either that stems
a word differently would silently change the themes and their names, so every distinct word of
the bundled sets and the Polis open data is stemmed both ways.
"""

import csv

import pytest
import Stemmer
from snowballstemmer.danish_stemmer import DanishStemmer
from snowballstemmer.english_stemmer import EnglishStemmer

from analysis.name_fit import _stemmer
from analysis.text import TokenTable, tokenise_chunk
from tests.analysis.test_names import BENCHMARK_DATA, POLIS
from tests.conftest import require

PURE = {"da": DanishStemmer, "en": EnglishStemmer}


@pytest.fixture(scope="module")
def words() -> list[str]:
    """Every distinct word of the bundled sets and the Polis comments, in both languages' sets."""
    require(
        (POLIS / "README.md").exists(),
        f"the Polis open data at {POLIS}",
        "put ../shared beside the project",
    )
    texts = []
    for filename in ("danish_staff_dialogue.csv", "polis_comments_sample.csv"):
        with open(BENCHMARK_DATA / filename, newline="", encoding="utf-8") as handle:
            texts += [row["text"] for row in csv.DictReader(handle)]
    for comments in sorted(POLIS.glob("*/comments.csv")):
        with open(comments, newline="", encoding="utf-8") as handle:
            texts += [row["comment-body"] for row in csv.DictReader(handle)]
    return sorted(set(tokenise_chunk(texts)))


@pytest.mark.parametrize("language", ["da", "en"])
def test_stems_match_the_pure_python_algorithm(words, language):
    pure = PURE[language]()
    table = TokenTable(language)
    for used in (table._stemmer, _stemmer(language)):
        assert isinstance(used, Stemmer.Stemmer), "the slow pure-Python stemmer is in use"
        differ = [word for word in words if used.stemWord(word) != pure.stemWord(word)]
        assert not differ, f"{len(differ)} of {len(words)} words stem differently: {differ[:10]}"
    assert len(words) > 8000
