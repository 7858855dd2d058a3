"""Fuzz target: normalising, tokenising and stemming texts for the theme analysis.

The texts of one input are separated by NUL. Invariants: tokens are already normal (so they
compare equal to the normalised stop words), no URL or e-mail address survives normalising, a
chunk tokenises exactly as its texts do one by one, and every token id maps back to its token.
"""

from __future__ import annotations

import re

from analysis.text import (
    BOUNDARY,
    LANGUAGES,
    SEPARATOR_ID,
    TokenTable,
    detect_language,
    normalise,
    text_languages,
    tokenise_chunk,
)
from tests.fuzz import decode

SEEDS = [
    "Vi har for travlt, og det går ud over borgerne.",
    "Skriv til Jens@Kommune.DK eller se https://x.dk – TAK",
    "Mere tid, 2 gange!\x00Bedre IT\x00",
    "ﬁnd Ｆｕｌｌ ｗｉｄｔｈ og\u00a0ligaturer ΐ İstanbul Straße",
    "www.eksempel.dk/side?a=1 og x@y\x1ez@w",
    "e\u0301 a\u0308 o\u0338 Å\r\nÆ\tø\x1e\x1f",
]

_TOKEN = re.compile(r"[^\W\d_]{2,}")
_LEFTOVER_URL = re.compile(r"(?:https?://|www\.)\S")


def inputs(data: bytes) -> tuple[list[str]]:
    return (decode(data).split("\x00"),)


def check(texts: list[str]) -> None:
    for text in texts:
        normal = normalise(text)
        assert "@" not in normal, normal
        assert not _LEFTOVER_URL.search(normal), normal
        tokens = tokenise_chunk([text])
        for token in tokens:
            assert _TOKEN.fullmatch(token), token
            assert normalise(token) == token, token
    _check_chunk(texts)
    _check_table(texts)
    assert len(text_languages(texts)) == len(texts)
    assert set(text_languages(texts)) <= {*LANGUAGES, None}
    assert detect_language(texts) in LANGUAGES


def _check_chunk(texts: list[str]) -> None:
    """A chunk's tokens are its texts' tokens, with one separator between two texts."""
    expected = []
    for i, text in enumerate(texts):
        expected += (["\x1e"] if i else []) + tokenise_chunk([text])
    assert tokenise_chunk(texts) == expected


def _check_table(texts: list[str]) -> None:
    table = TokenTable(LANGUAGES[len(texts) % len(LANGUAGES)])
    ids = table.encode(texts)
    assert list(ids) == [table[token] for token in tokenise_chunk(texts)]
    assert int((ids == SEPARATOR_ID).sum()) == len(texts) - 1
    assert len(table.tokens) == len(table.stem_ids) == len(table)
    for token, token_id in table.items():
        assert table.tokens[token_id] == token
        stem_id = table.stem_ids[token_id]
        assert (stem_id == BOUNDARY) == (token_id == SEPARATOR_ID)
        assert stem_id < len(table.stems)
