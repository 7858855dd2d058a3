"""The identifying-details scanner: planted details of each kind, and look-alikes that are not."""

import pytest

from analysis.identifying import (
    CPR,
    EMAIL,
    NAME,
    PHONE,
    Span,
    cpr_century,
    mask,
    name_keys,
    scan,
)

PEOPLE = name_keys(["Anna Bo Jensen", "Mark Dam", "Rose Hansen", "Bo Dam", "Mads"])


def found(text: str, names=PEOPLE) -> list[tuple[str, str]]:
    return [(span.kind, text[span.start : span.end]) for span in scan(text, names)]


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("Skriv til anna.jensen@kommune.dk i morgen", "anna.jensen@kommune.dk"),
        ("Mail: Ole_B+dialog@sub.example.org.", "Ole_B+dialog@sub.example.org"),
    ],
)
def test_email_addresses_are_found(text, detail):
    assert found(text) == [(EMAIL, detail)]


@pytest.mark.parametrize(
    "detail",
    [
        "22334455",
        "22 33 44 55",
        "2233 4455",
        "+45 22 33 44 55",
        "+4522334455",
        "0045 22334455",
        "+44 20 7946 0958",
        "+49 30 901820",
    ],
)
def test_danish_and_international_phone_numbers_are_found(detail):
    assert found(f"Ring på {detail} efter kl. 16") == [(PHONE, detail)]


@pytest.mark.parametrize(
    "text",
    [
        "Vi brugte 2024-2025 på at vente.",  # a year range
        "Sagsnummer 12345678",  # no Danish number starts with 1
        "Det kostede 1.250.000 kr.",
        "Mødet er den 12.03.2026",
    ],
)
def test_numbers_that_are_no_phone_numbers_are_left_alone(text):
    assert found(text) == []


def test_cpr_numbers_with_a_valid_date_are_found_with_or_without_checksum():
    # 010190-1238 passes modulus 11; 010190-1234 does not, but numbers issued since 2007 may fail
    # it, so a number written as a CPR number counts on its date alone.
    assert found("Mit cpr er 010190-1238.") == [(CPR, "010190-1238")]
    assert found("Mit cpr er 010190-1234.") == [(CPR, "010190-1234")]
    assert found("cpr 010190 1234") == [(CPR, "010190 1234")]


def test_bare_ten_digits_count_as_cpr_only_when_the_checksum_holds():
    assert found("nummer 0101901238") == [(CPR, "0101901238")]
    assert found("konto 0101901234") == []


@pytest.mark.parametrize(
    "text",
    [
        "320190-1238",  # 32 January
        "310290-1234",  # 31 February
        "290200-1000",  # 29 February 1900: seventh digit 1 means the 1900s, no leap year
        "011390-1238",  # month 13
    ],
)
def test_cpr_like_numbers_with_an_impossible_date_are_not_cpr(text):
    assert [kind for kind, _ in found(f"nr. {text}")] == []


def test_the_century_follows_the_seventh_digit():
    assert found("290200-4001") == [(CPR, "290200-4001")]  # 4 and year 00: 2000, a leap year
    assert cpr_century(36, 4) == 2000
    assert cpr_century(37, 4) == 1900
    assert cpr_century(57, 5) == 2000
    assert cpr_century(58, 8) == 1800
    assert cpr_century(99, 3) == 1900
    assert cpr_century(10, 9) == 2000


def test_full_names_and_first_plus_last_names_are_found():
    assert found("Jeg talte med Anna Bo Jensen om det") == [(NAME, "Anna Bo Jensen")]
    assert found("Jeg talte med Anna Jensen om det") == [(NAME, "Anna Jensen")]
    assert found("Anna Jensens forslag var godt") == [(NAME, "Anna Jensens")]
    assert found("Mark Dam's idea") == [(NAME, "Mark Dam's")]


def test_names_that_are_common_words_do_not_flag_on_their_own():
    assert found("Vi bor ved en dam, og Rose er en blomst. Mark mødte Bo.") == []
    assert found("mark dam og rose hansen med små bogstaver") == []
    assert found("Mads sagde det") == []  # a one-word name is never matched alone
    assert found("Bo Dam sagde det") == [(NAME, "Bo Dam")]


def test_names_need_the_list_and_adjacent_words():
    assert found("Anna Jensen var her", names=frozenset()) == []
    assert found("Anna og Jensen var her") == []


def test_overlapping_details_keep_the_strongest():
    assert found("010190-1238 eller 22 33 44 55") == [(CPR, "010190-1238"), (PHONE, "22 33 44 55")]


def test_overlapping_details_are_masked_as_one():
    # Found by the atheris fuzzer (tests/fuzz/identifying.py): the CPR number won over the
    # e-mail address it began, so masking it left the rest of the address readable.
    text = "Skriv til 290200-4000m+x@a-b.dk nu"
    assert found(text) == [(CPR, "290200-4000m+x@a-b.dk")]
    assert mask(text, scan(text), lambda kind: f"[{kind}]") == "Skriv til [cpr] nu"


def test_mask_replaces_each_span_and_keeps_the_rest():
    text = "Ring 22 33 44 55 eller skriv til a@b.dk"
    spans = scan(text)
    assert mask(text, spans, lambda kind: f"[{kind}]") == "Ring [phone] eller skriv til [email]"
    assert mask("abc", [Span(0, 2, PHONE), Span(1, 3, PHONE)], lambda k: "#") == "##"
