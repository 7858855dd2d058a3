"""Fuzz target: the scanner for e-mail addresses, phone and CPR numbers and names.

An input is ``names NUL text`` (one name a line) or just a text, scanned with two listed names.
Invariants: spans lie inside the text, are sorted and do not overlap; a span holds what its
kind says (overlapping details are merged into the stronger kind); name spans appear only when
names are listed, or, for the participant's warning (``any_name``), as two or more capitalised
words whatever the list; masking keeps everything outside the spans, and a masked text shows
no e-mail address or CPR number any more.
"""

from __future__ import annotations

import re

from analysis.identifying import CPR, EMAIL, KINDS, NAME, mask, name_keys, scan
from tests.fuzz import decode

SEEDS = [
    "Skriv til anna@example.dk eller ring 22 33 44 55",
    "Mit CPR er 290200-4000, min kollegas 0101011234 og +45 12 34 56 78 eller 0045 87654321",
    "Anna Bo Jensen\nMark Dam\x00Spørg Anna Jensens team, Mark Dam's gruppe eller Rose",
    "2024-2025 var året; ring +1 650 253 0000 eller 320190-1234",
    "Kontakt: Ａnna＠Example.DK, mark.dam+x@a-b.c.dk.",
]

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
_CPR_SHAPE = re.compile(r"\d{6}[- ]?\d{4}")
_DEFAULT_NAMES = ("Anna Bo Jensen", "Mark Dam")
#: Kinds a masked text must no longer show. Not phone numbers: libphonenumber reads digits in
#: their context, so a number next to a flagged detail or glued to a word can be missed until
#: masking changes its neighbours ("Jensens22334455"). Not names: a marker's words may form one.
_MASKED_KINDS = {CPR, EMAIL}


def inputs(data: bytes) -> tuple[str, frozenset[str]]:
    text = decode(data)
    names, nul, rest = text.partition("\x00")
    if not nul:
        return text, name_keys(_DEFAULT_NAMES)
    return rest, name_keys(names.split("\n"))


def check(text: str, keys: frozenset[str]) -> None:
    check_spans(text, keys, scan(text, keys))
    check_spans(text, keys, scan(text, any_name=True), any_name=True)


def check_spans(text: str, keys: frozenset[str], spans, *, any_name: bool = False) -> None:
    end = 0
    for span in spans:
        assert end <= span.start < span.end <= len(text), spans
        assert span.kind in KINDS, span
        end = span.end
        found = text[span.start : span.end]
        if span.kind == EMAIL:
            assert _EMAIL.search(found), found
        elif span.kind == CPR:
            assert _CPR_SHAPE.search(found), found
        elif span.kind == NAME:
            assert keys or any_name, found
            assert found[0].isupper(), found
            assert any_name is False or len(found.split()) >= 2, found
    starts, ends = [s.start for s in spans] + [len(text)], [0] + [s.end for s in spans]
    outside = "".join(text[a:b] for a, b in zip(ends, starts, strict=True))
    assert mask(text, spans, lambda kind: "") == outside
    masked = mask(text, spans, lambda kind: f"[{kind}]")
    assert not {span.kind for span in scan(masked)} & _MASKED_KINDS, masked
