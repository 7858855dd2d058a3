import pickle

import pytest

from analysis.text import (
    STOP,
    TokenTable,
    detect_language,
    normalise,
    stop_word_set,
    tokenise_chunk,
)


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
