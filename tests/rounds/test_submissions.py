"""``clean_text``: the cleaning every stored contribution goes through."""

import unicodedata

import pytest

from rounds.submissions import clean_text


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        # Found by the atheris fuzzer (tests/fuzz/submission.py): a control character between a
        # letter and its accent was dropped after normalising, leaving "N\u0301", not "Ń".
        ("N\x01\u0301", "\u0143"),
        ("  Vi har\r\nfor travlt\r ", "Vi har\nfor travlt"),
        ("e\u0301\x7f\x85", "\u00e9"),
        (None, ""),
    ],
)
def test_clean_text_is_nfc_without_control_characters(raw, cleaned):
    assert clean_text(raw) == cleaned
    assert unicodedata.is_normalized("NFC", clean_text(raw))
    assert clean_text(clean_text(raw)) == clean_text(raw)
