"""Fuzz target: ``rounds.submissions.clean_text``, which every stored text goes through.

Invariants: the result is NFC, has no control characters but tab and newline, no carriage
return, no surrounding whitespace, and cleaning it again changes nothing (an edit that changes
nothing must store the same text).
"""

from __future__ import annotations

import re
import unicodedata

from rounds.submissions import clean_text
from tests.fuzz import decode

SEEDS = [
    "  Vi har for travlt.\r\nOg det går ud over borgerne.\r ",
    "e\u0301 A\u030a o\u0338 \ufb01 \u00a0Æ\tø\x1e\x1f\x7f\x85\u2028",
    "\x00\x08\x0b\x0c\x0e\u200b<script>alert(1)</script>",
]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def inputs(data: bytes) -> tuple[str]:
    return (decode(data),)


def check(text: str) -> None:
    cleaned = clean_text(text)
    assert unicodedata.is_normalized("NFC", cleaned), ascii(cleaned)
    assert not _CONTROL.search(cleaned), ascii(cleaned)
    assert cleaned == cleaned.strip(), ascii(cleaned)
    assert clean_text(cleaned) == cleaned, ascii(cleaned)
