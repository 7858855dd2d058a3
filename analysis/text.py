"""Normalise and tokenise Danish and English contributions, fast enough for a million texts.

Every text goes through the same steps: Unicode NFKC (so full-width letters, ligatures and
non-breaking spaces compare equal), case folding, removal of URLs and e-mail addresses (they
identify people and carry no theme), and a tokeniser that keeps runs of two or more letters, so
numbers are dropped. Stop words are the union of two maintained lists, the `stop-words` package
and `stopwordsiso` (Stopwords ISO), plus a short supplement of Danish function words that neither
has (see :data:`SUPPLEMENT`); tokens are reduced to Danish or English Snowball stems.

Speed comes from working on a whole chunk of texts at once: the chunk is joined with a record
separator, normalised and tokenised by one call each into C code, and each distinct token is
stemmed exactly once and remembered in a :class:`TokenTable`. No Python code runs per token
except a dictionary look-up done by ``map``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np
import snowballstemmer
import stop_words
import stopwordsiso

#: Languages with a stemmer and a stop-word list; the first one is the fallback.
LANGUAGES = ("da", "en")

_STEMMER_NAMES = {"da": "danish", "en": "english"}
_SEPARATOR = "\x1e"  # ASCII record separator: whitespace to the regexes, never a letter
_URL = re.compile(r"(?:https?://|www\.)\S+")
_EMAIL = re.compile(r"[^\s@]*@\S*")
_EMAIL_REACH = 100  # characters an address may extend to the left of its "@"
_TOKEN = re.compile(r"[^\W\d_]{2,}|\x1e")

#: Function words missing from both packages' lists, which would otherwise start, end or make up
#: theme names ("samarbejdet mellem", "gør svært", "uden") and split themes by style rather than
#: subject. Only closed-class words: prepositions, adverbs of degree, time and stance, pronouns,
#: auxiliaries and the light verbs "gøre" and "gå", a few abbreviations written as words.
SUPPLEMENT = {
    "da": frozenset(
        """
        mellem imellem uden gennem igennem blandt omkring ifølge hen via samt pga fx osv mv dvs ift
        nok vel igen altid ofte tit endnu stadig allerede måske mest ganske derfor således dermed
        desuden heller hellere især netop nemlig altså simpelthen faktisk vist overhovedet
        virkelig selvom både enten hverken hinanden hinandens ens egen eget egne hvert hvilke
        hvilket bør burde måtte kunnet villet skullet blevet gøre gør gjort gjorde går gå gik gået
        fået én ét hele samme øvrige
        """.split()  # noqa: SIM905 - a word list reads better as words
    ),
}

#: Token id of the separator between two texts in a chunk.
SEPARATOR_ID = 0
#: Stem id given to stop words, which never become features.
STOP = -1
#: Stem id given to the separator.
BOUNDARY = -2


def normalise(text: str) -> str:
    """Return `text` in the canonical form used before tokenising.

    Parameters
    ----------
    text : str
        Raw contribution.

    Returns
    -------
    str
        NFKC-normalised, case-folded text with URLs and e-mail addresses removed.

    Examples
    --------
    >>> normalise("Skriv til Jens@Kommune.DK eller se https://x.dk – TAK")
    'skriv til   eller se   – tak'
    """
    if not unicodedata.is_normalized("NFKC", text):
        # In a chunk of texts joined by the separator, a few texts with "…" or "ﬁ" made all of
        # them go through NFKC, which took as long as tokenising them; NFKC changes nothing
        # across the separator, so only the texts that need it go through it.
        text = _SEPARATOR.join(map(_nfkc, text.split(_SEPARATOR)))
    return _drop_emails(_drop_urls(text.casefold()))


def _nfkc(text: str) -> str:
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


def _drop_urls(text: str) -> str:
    """Replace every URL by a space, as ``_URL.sub(" ", text)`` does.

    A URL starts with "http" or "www.", which the C string search finds; the regular
    expression is then tried only there, not at each of a million characters.

    Examples
    --------
    >>> _drop_urls("se www.x.dk, https://y.dk/a og http:/z")
    'se     og http:/z'
    """
    pieces, done = [], 0
    http, www = text.find("http"), text.find("www.")
    while http >= 0 or www >= 0:
        at = min(http, www) if http >= 0 and www >= 0 else max(http, www)
        match = _URL.match(text, at)
        if match:
            pieces += [text[done:at], " "]
            done = match.end()
        following = done if match else at + 1
        if 0 <= http < following:
            http = text.find("http", following)
        if 0 <= www < following:
            www = text.find("www.", following)
    return "".join(pieces) + text[done:]


def _drop_emails(text: str) -> str:
    """Blank out every whitespace-delimited word that contains an "@".

    A regular expression for e-mail addresses would be tried at every character of a million
    texts; searching only near each "@", which the C string search finds, is many times faster.
    """
    pieces, done = [], 0
    at = text.find("@")
    while at >= 0:
        match = _EMAIL.search(text, max(done, at - _EMAIL_REACH))
        pieces += [text[done : match.start()], " "]
        done = match.end()
        at = text.find("@", done)
    return "".join(pieces) + text[done:]


@cache
def stop_word_set(language: str) -> frozenset[str]:
    """Return the normalised stop words of `language`: both packages' lists and the supplement.

    The `stop-words` package's Danish list is the short Snowball one (94 words, without "kan",
    "så", "vores"); Stopwords ISO adds those, the supplement the rest.

    Examples
    --------
    >>> {"og", "kan", "så", "mellem"} <= stop_word_set("da"), "and" in stop_word_set("en")
    (True, True)
    """
    words = [*stop_words.get_stop_words(language), *stopwordsiso.stopwords(language)]
    # One call for all words: a call per word cost 7 ms of the first run in a process.
    return frozenset(normalise("\n".join([*words, *SUPPLEMENT.get(language, ())])).split("\n"))


def text_languages(texts: Iterable[str]) -> list[str | None]:
    """Guess the language of each text alone, or None when its words say too little.

    A text needs more stop words of one language than of the other, and at least two: short
    texts without function words ("IT-systemerne!") stay undecided rather than guessed.

    Examples
    --------
    >>> text_languages(["Vi har for travlt i dag", "We are far too busy", "IT-systemerne"])
    ['da', 'en', None]
    """
    sets = [stop_word_set(language) for language in LANGUAGES]
    languages = []
    for text in texts:
        tokens = _TOKEN.findall(normalise(text))
        hits = [sum(token in words for token in tokens) for words in sets]
        best = int(np.argmax(hits))
        decided = hits[best] >= 2 and hits[best] > hits[1 - best]
        languages.append(LANGUAGES[best] if decided else None)
    return languages


def detect_language(texts: Iterable[str], *, sample_size: int = 2000) -> str:
    """Guess the language of a corpus from how many of its tokens are stop words.

    Function words make up a third or more of any Danish or English text, so counting hits in
    each language's stop-word list is a reliable detector for a whole corpus and needs no model.
    Texts in neither language (or with no words at all) get the fallback, ``LANGUAGES[0]``.

    Parameters
    ----------
    texts : iterable of str
        The corpus; only the first `sample_size` texts are read.
    sample_size : int, default=2000
        How many texts to look at.

    Returns
    -------
    str
        ``"da"`` or ``"en"``.

    Examples
    --------
    >>> detect_language(["Vi har for travlt, og det går ud over borgerne."])
    'da'
    >>> detect_language(["We are too busy and the residents pay for it."])
    'en'
    """
    sample = [text for _, text in zip(range(sample_size), texts, strict=False)]
    tokens = _TOKEN.findall(normalise(" ".join(sample)))
    hits = [sum(token in stop_word_set(lang) for token in tokens) for lang in LANGUAGES]
    return LANGUAGES[int(np.argmax(hits))]


def tokenise_chunk(texts: Sequence[str]) -> list[str]:
    r"""Tokenise many texts in one pass, with ``"\x1e"`` between the tokens of two texts.

    Examples
    --------
    >>> tokenise_chunk(["Mere tid, 2 gange!", "Bedre IT"])
    ['mere', 'tid', 'gange', '\x1e', 'bedre', 'it']
    """
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:  # a text contains the separator itself
        joined = _SEPARATOR.join(text.replace(_SEPARATOR, " ") for text in texts)
    return _TOKEN.findall(normalise(joined))


class TokenTable(dict):
    """Map each distinct surface token to an id, stemming it once on first sight.

    The table grows while texts are read. Parallel lists record, per token id, the token itself
    (to show readable words instead of stems later) and the id of its stem (`STOP` for stop
    words, `BOUNDARY` for the separator).

    Parameters
    ----------
    language : str
        ``"da"`` or ``"en"``: chooses the stemmer and the stop words.

    Examples
    --------
    >>> table = TokenTable("da")
    >>> [table[token] for token in ["borgerne", "og", "borgere"]]
    [1, 2, 3]
    >>> [table.stems[table.stem_ids[i]] for i in (1, 3)]
    ['borg', 'borg']
    """

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language
        self._stemmer = snowballstemmer.stemmer(_STEMMER_NAMES[language])
        self._stop = stop_word_set(language)
        #: Surface form of each token id.
        self.tokens: list[str] = [_SEPARATOR]
        #: Stem id of each token id.
        self.stem_ids: list[int] = [BOUNDARY]
        #: Stem of each stem id.
        self.stems: list[str] = []
        self._stem_index: dict[str, int] = {}
        self[_SEPARATOR] = SEPARATOR_ID

    def __missing__(self, token: str) -> int:
        token_id = len(self.tokens)
        self[token] = token_id
        self.tokens.append(token)
        if token in self._stop:
            self.stem_ids.append(STOP)
            return token_id
        stem = self._stemmer.stemWord(token)
        if stem not in self._stem_index:
            self._stem_index[stem] = len(self.stems)
            self.stems.append(stem)
        self.stem_ids.append(self._stem_index[stem])
        return token_id

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return the token ids of `texts`, separated by `SEPARATOR_ID`."""
        tokens = tokenise_chunk(texts)
        return np.fromiter(map(self.__getitem__, tokens), dtype=np.int64, count=len(tokens))

    def __reduce__(self):
        # The C stemmer cannot be pickled; rebuild the table from its tokens instead, so a
        # fitted vectoriser can be stored with pickle or joblib.
        return _rebuilt_table, (self.language, self.tokens[1:])


def _rebuilt_table(language: str, tokens: list[str]) -> TokenTable:
    table = TokenTable(language)
    table.encode(tokens)
    return table
