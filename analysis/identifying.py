"""Find identifying details in a contribution: e-mail addresses, phone numbers, CPR numbers, names.

The dialogue promises anonymity, yet a participant can break it themselves by writing "call me on
22 33 44 55" or by naming a colleague. :func:`scan` finds such spans so that the participant is
warned before submitting and the consultant can redact what still gets through. It returns
offsets and kinds only; callers never need to store the matched text.

The rules, chosen so that a warning is cheap and a miss is not:

* **E-mail**: ``local@domain.tld``.
* **Phone**: what Google's libphonenumber (``phonenumbers``) accepts as a *valid* number in text,
  read as Danish when there is no country code: eight digits with or without ``+45``/``0045``
  and spacing, and international numbers with ``+`` or ``00``. A year range such as
  ``2024-2025`` looks like a number but is not one, and is skipped.
* **CPR**: ``DDMMYY-SSSS`` whose date exists, the century taken from the seventh digit (the rule
  of the CPR office). Since 2007 the CPR office issues numbers that fail the old modulus-11
  check, so a number written the way CPR numbers are written (with a hyphen or space after the
  date) counts whatever its checksum. Ten bare digits are as likely an account or case number;
  they count only when the date exists *and* modulus 11 holds. A number whose date does not
  exist (``320190-1234``, ``290200-4000`` in 1900) is never a CPR number.
* **Names**: people on the dialogue's list, matched as two or more of their name's words in a
  row (full name or first and last name), each written with a capital letter, optionally with a
  genitive ``s``. A single word never matches on its own, so names that are also ordinary words
  ("Bo", "Rose", "Dam", "Mark") do not flag "vi bor ved en dam" or "Rose is a flower".
* **Any name** (``any_name=True``, for the participant's warning): any two or more capitalised
  words in a row, listed or not. A warning that named only listed people would tell a
  participant whether a given full name is on the dialogue's list; this one tells nothing about
  the list, and its cost does not depend on the list's length.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import phonenumbers

EMAIL = "email"
PHONE = "phone"
CPR = "cpr"
NAME = "name"
#: Every kind of span, in the order a warning lists them.
KINDS = (CPR, EMAIL, PHONE, NAME)

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
_CPR = re.compile(r"(?<![\d-])(\d{2})(\d{2})(\d{2})([- ]?)(\d{4})(?![\d-])")
_YEAR_RANGE = re.compile(r"(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d")
#: A word (names may hold a hyphen or an apostrophe); names count only when capitalised.
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_MODULUS_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
#: A name is matched as at most this many words in a row.
_MAX_NAME_WORDS = 6


@dataclass(frozen=True, order=True)
class Span:
    """Characters ``start`` to ``end`` (exclusive) of a text look like a ``kind`` of detail."""

    start: int
    end: int
    kind: str


# --- CPR ----------------------------------------------------------------------------------------


def cpr_century(year: int, seventh_digit: int) -> int | None:
    """The century of a CPR number's two-digit ``year``, from its seventh digit (CPR office)."""
    if seventh_digit <= 3:
        return 1900
    if seventh_digit in (4, 9):
        return 2000 if year <= 36 else 1900
    return 2000 if year <= 57 else 1800


def cpr_birth_date(digits: str) -> dt.date | None:
    """The birth date a ten-digit CPR number encodes, or None if that date does not exist.

    >>> cpr_birth_date("2902004000")
    datetime.date(2000, 2, 29)
    >>> cpr_birth_date("2902001000") is None  # 1900 was no leap year
    True
    """
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    century = cpr_century(year, int(digits[6]))
    try:
        return dt.date(century + year, month, day)
    except ValueError:
        return None


def cpr_checksum_ok(digits: str) -> bool:
    """Whether the number passes modulus 11, which numbers issued since 2007 need not."""
    return sum(int(d) * w for d, w in zip(digits, _MODULUS_WEIGHTS, strict=True)) % 11 == 0


def _cpr_spans(text: str) -> list[Span]:
    spans = []
    for match in _CPR.finditer(text):
        digits = "".join(match.group(1, 2, 3, 5))
        if cpr_birth_date(digits) is None:
            continue
        if match.group(4) or cpr_checksum_ok(digits):
            spans.append(Span(match.start(), match.end(), CPR))
    return spans


# --- e-mail and phone ---------------------------------------------------------------------------


def _email_spans(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), EMAIL) for m in _EMAIL.finditer(text)]


def _phone_spans(text: str) -> list[Span]:
    matcher = phonenumbers.PhoneNumberMatcher(text, "DK", leniency=phonenumbers.Leniency.VALID)
    return [Span(m.start, m.end, PHONE) for m in matcher if not _YEAR_RANGE.fullmatch(m.raw_string)]


# --- names --------------------------------------------------------------------------------------


def name_keys(names: Iterable[str]) -> frozenset[str]:
    """What :func:`scan` looks for: each person's full name and first + last name, case-folded.

    Names of a single word give nothing: alone, a word is too often an ordinary word.

    >>> sorted(name_keys(["Anna Bo Jensen", "Mark"]))
    ['anna bo jensen', 'anna jensen']
    """
    keys = set()
    for name in names:
        words = name.casefold().split()
        if len(words) >= 2:
            keys.add(" ".join(words))
            keys.add(f"{words[0]} {words[-1]}")
    return frozenset(keys)


def _name_spans(text: str, keys: frozenset[str]) -> list[Span]:
    """Runs of capitalised words that form a listed name; the longest run wins."""
    words = [word for word in _WORD.finditer(text) if word.group()[0].isupper()]
    spans = []
    i = 0
    while i < len(words):
        found = _longest_name_at(text, words, i, keys)
        if found is None:
            i += 1
            continue
        end_index, end = found
        spans.append(Span(words[i].start(), end, NAME))
        i = end_index + 1
    return spans


def _longest_name_at(text: str, words, i: int, keys: frozenset[str]) -> tuple[int, int] | None:
    """(index of the last word, end offset) of the longest listed name starting at word ``i``."""
    best = None
    last = min(len(words), i + _MAX_NAME_WORDS)
    for j in range(i + 1, last):
        if text[words[j - 1].end() : words[j].start()].strip():
            break  # only whitespace may stand between the words of a name
        parts = [w.group().casefold() for w in words[i : j + 1]]
        key = " ".join(parts)
        if key in keys:
            best = (j, words[j].end())
        elif parts[-1][-1:] == "s" and " ".join([*parts[:-1], parts[-1][:-1]]) in keys:
            best = (j, words[j].end())  # Danish and English genitive: "Anna Jensens forslag"
        elif parts[-1].endswith(("'s", "’s")) and " ".join([*parts[:-1], parts[-1][:-2]]) in keys:
            best = (j, words[j].end())
    return best


# --- all together -------------------------------------------------------------------------------


def _written_like_a_name(word: str) -> bool:
    """A capital and small letters in each part; a lone capital ("A", "Å") is no name."""
    return not word.isupper() and all(
        part[0].isupper() and (len(part) == 1 or part[1:].islower())
        for part in re.split(r"[-'’]", word)
    )


def _any_name_spans(text: str) -> list[Span]:
    """Runs of two or more capitalised words, at most :data:`_MAX_NAME_WORDS` counted per run.

    Only whitespace may stand between the words, as in :func:`_name_spans`. A word counts when
    each of its parts is written like a name, a capital and then small letters ("Anne-Marie",
    "O'Brien"): abbreviations and product names ("IT-systemer", "HR", "JavaScript") are not
    names, and would otherwise flag ordinary sentences.

    >>> [text[s.start:s.end] for text in ["Spørg Anne-Marie O'Brien om det"]
    ...  for s in _any_name_spans(text)]
    ["Spørg Anne-Marie O'Brien"]
    >>> _any_name_spans("Vores IT-systemer er gamle. Uden JavaScript går det også.")
    []
    """
    words = [w for w in _WORD.finditer(text) if _written_like_a_name(w.group())]
    spans, i = [], 0
    while i < len(words):
        j = i
        while (
            j + 1 < len(words)
            and j + 1 - i < _MAX_NAME_WORDS
            and not text[words[j].end() : words[j + 1].start()].strip()
        ):
            j += 1
        if j > i:
            spans.append(Span(words[i].start(), words[j].end(), NAME))
        i = j + 1
    return spans


def scan(text: str, names: frozenset[str] = frozenset(), *, any_name: bool = False) -> list[Span]:
    """Identifying spans in ``text``, in order and without overlaps.

    ``names`` comes from :func:`name_keys`; with ``any_name`` every capitalised run of two or
    more words counts as a name instead, whatever the list holds. Overlapping spans become one
    span covering both, of the stronger kind (a CPR number over an e-mail address over a phone
    number over a name): keeping only one of them would leave the rest of the other readable
    once masked.

    >>> scan("Skriv til anna@example.dk eller ring 22 33 44 55")
    [Span(start=10, end=25, kind='email'), Span(start=37, end=48, kind='phone')]
    """
    if not text:
        return []
    found = _cpr_spans(text) + _email_spans(text) + _phone_spans(text)
    if any_name:
        found += _any_name_spans(text)
    elif names:
        found += _name_spans(text, names)
    rank = {kind: i for i, kind in enumerate(KINDS)}
    merged: list[Span] = []
    for span in sorted(found):
        if merged and span.start < merged[-1].end:
            last = merged.pop()
            kind = min(last.kind, span.kind, key=rank.__getitem__)
            span = Span(last.start, max(last.end, span.end), kind)
        merged.append(span)
    return merged


def mask(text: str, spans: Sequence[Span], marker) -> str:
    """``text`` with each span replaced by ``marker(kind)``, for anything shown or analysed.

    >>> mask("ring 22 33 44 55 nu", [Span(5, 16, PHONE)], lambda kind: f"[{kind}]")
    'ring [phone] nu'
    """
    out, position = [], 0
    for span in sorted(spans):
        if span.end <= position:
            continue  # inside a span already masked
        out += [text[position : max(span.start, position)], marker(span.kind)]
        position = span.end
    out.append(text[position:])
    return "".join(out)
