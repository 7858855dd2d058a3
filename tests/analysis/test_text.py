import csv
import pickle

import pytest
import Stemmer
from snowballstemmer.danish_stemmer import DanishStemmer
from snowballstemmer.english_stemmer import EnglishStemmer

from analysis.name_fit import _stemmer
from analysis.text import (
    STOP,
    TokenTable,
    detect_language,
    normalise,
    stop_word_set,
    tokenise_chunk,
)
from tests.analysis.test_naming import BENCHMARK_DATA, POLIS
from tests.conftest import require


def test_normalise_folds_case_and_compatibility_forms():
    assert normalise("ＡＢＣ Æble ﬁnt") == "abc æble fint"


@pytest.mark.parametrize(
    "text",
    [
        "skriv til jens.hansen@kommune.dk i dag",
        "se https://kommune.dk/x?y=1 i dag",
        "se www.x.dk i dag",
    ],
)
def test_tokenise_drops_e_mail_addresses_and_urls(text):
    assert tokenise_chunk([text])[-1] == "dag"
    assert not {"jens", "hansen", "kommune", "dk", "https", "www"} & set(tokenise_chunk([text]))


def test_tokenise_drops_numbers_and_single_letters():
    assert tokenise_chunk(["Vi fik 2 nye pc'er i 2024"]) == ["vi", "fik", "nye", "pc", "er"]


def test_tokenise_separates_texts_even_if_a_text_contains_the_separator():
    assert tokenise_chunk(["ab\x1ecd", "ef"]) == ["ab", "cd", "\x1e", "ef"]


def test_stop_words_come_from_the_packages_for_both_languages():
    assert {"og", "det", "ikke"} <= stop_word_set("da")
    assert {"the", "and", "not"} <= stop_word_set("en")


def test_danish_stop_words_hold_the_function_words_that_made_poor_names():
    # From names the demo gave: "kan, så", "tid hver, hver eneste", "ændre vores, kan ændre",
    # "mellem teams", "hinanden, gør svært, går kvaliteten".
    function_words = {"kan", "så", "hver", "vores", "mellem", "gør", "går", "hinanden", "skal"}
    assert function_words | {"også", "bare", "få", "uden", "nok"} <= stop_word_set("da")
    assert not {"tid", "borgerne", "samarbejde", "kvaliteten", "teams"} & stop_word_set("da")


@pytest.mark.parametrize(
    ("texts", "language"),
    [
        (["Vi har ikke tid nok til borgerne, og det er et problem."], "da"),
        (["We do not have enough time for the residents, and that is a problem."], "en"),
        (["我们没有足够的时间", "ليس لدينا وقت كاف"], "da"),
        ([""], "da"),
    ],
)
def test_detect_language_by_stop_words_with_danish_fallback(texts, language):
    assert detect_language(texts) == language


def test_token_table_stems_each_distinct_token_once_and_marks_stop_words():
    table = TokenTable("da")
    ids = table.encode(["Borgerne og borgerne", "borgere"])
    assert table.tokens == ["\x1e", "borgerne", "og", "borgere"]
    assert ids.tolist() == [1, 2, 1, 0, 3]
    assert table.stem_ids[table["og"]] == STOP
    assert table.stem_ids[table["borgerne"]] == table.stem_ids[table["borgere"]]


def test_token_table_survives_pickling():
    table = TokenTable("en")
    table.encode(["running runners"])
    copy = pickle.loads(pickle.dumps(table))
    assert copy.stems == table.stems
    assert copy.encode(["running"]).tolist() == table.encode(["running"]).tolist()


# --- the C stemmer ---------------------------------------------------------------------------
#
# The C stemmer the analysis uses gives the same stems as Snowball's pure-Python algorithms.
#
# ``snowballstemmer`` hands out PyStemmer's C stemmer when it is installed (stemming went from
# most of the vectoriser's time at 10,000 texts to about 0.01 s); a version of either that stems
# a word differently would silently change the themes and their names, so every distinct word of
# the bundled sets and the Polis open data is stemmed both ways.

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
