"""Whether a text fits a theme's name: the check a quote passes before it is shown with the name.

A quote printed under a theme's name tells readers "people wrote this about that". A text that
shares no word with the name (a near-miss of the clustering, or a name the consultant chose for
most of the theme but not for this text) would tell them something false, so it is not quoted.

A text fits when one of its words and one of the name's content words share a Snowball stem, or
when one stem of at least ``PART_LETTERS`` letters lies inside the other: Danish writes
compounds as one word, so "arbejdspresset" fits "Arbejdspres" and "IT-systemet" fits
"Systemer". Stop words (from the `stop-words` package) never make a text fit.
"""

from __future__ import annotations

import re
from functools import cache

import snowballstemmer

from analysis.text import LANGUAGES, normalise, stop_word_set

#: Fewest letters of a stem that counts when found inside a longer one ("tid" in "tidspres" not).
PART_LETTERS = 4

_STEMMERS = {"da": "danish", "en": "english"}
_WORD = re.compile(r"[^\W\d_]+")


@cache
def _stemmer(language: str):
    return snowballstemmer.stemmer(_STEMMERS[language])


def content_stems(text: str, language: str) -> frozenset[str]:
    """The stems of the words of ``text`` that are not stop words.

    Examples
    --------
    >>> sorted(content_stems("Tid til faglig sparring", "da"))
    ['fag', 'sparring', 'tid']
    """
    language = language if language in LANGUAGES else LANGUAGES[0]
    stop = stop_word_set(language)
    words = [word for word in _WORD.findall(normalise(text)) if word not in stop]
    return frozenset(_stemmer(language).stemWords(words))


def _related(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= PART_LETTERS and short in long_


def fits_name(text: str, name: str, language: str) -> bool:
    """Whether ``text`` shares a content word (after stemming) with the theme name ``name``.

    A name without content words fits no text: nothing shows that the text is about it.

    Examples
    --------
    >>> fits_name("Vi har alt for travlt på arbejdet", "Travlhed og arbejdspres", "da")
    True
    >>> fits_name("Borgerne venter for længe på svar", "Travlhed og arbejdspres", "da")
    False
    """
    wanted = content_stems(name, language)
    if not wanted:
        return False
    return any(
        _related(stem, name_stem) for stem in content_stems(text, language) for name_stem in wanted
    )
