"""Find the phrases of a theme's sampled members that could name it.

A phrase is a run of two to five words within one clause, starting and ending with a public
content word, written by at least `PHRASE_AUTHORS` distinct authors of the sample; every stop
word in it must be written by enough authors too. :mod:`analysis.naming` chooses among them.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

from analysis.text import STOP, TokenTable, normalise, stop_word_set

#: Words of a name phrase.
PHRASE_WORDS = (2, 5)
#: Fewest distinct authors of a name phrase in the sample: a phrase one person wrote is theirs.
PHRASE_AUTHORS = 2
#: Words, clause breaks and the separator that starts each text, in the sampled texts joined
#: into one: the clause breaks of ``analysis.naming._CLAUSE``, whose spaces are never the
#: separator.
_PIECE = re.compile(r"[^\W\d_]+|\x1e|[.,;:!?()\[\]{}\"“”„«»…/|\n\r\t]+|[^\S\x1e][-–—]+[^\S\x1e]")
_SEPARATOR = "\x1e"
#: Kind of a clause break or separator among the pieces: it ends every phrase.
_BREAK = STOP - 2
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd constant that spreads bits when hashing


class PhraseReader:
    """Find, in the sampled members of every theme, the phrases that could name it.

    A phrase is two to five words of one clause, starting and ending with a content word, whose
    content words are all public terms; stop words may stand between them ("tid til faglig
    sparring"). A word the vectoriser dropped (too rare or too common) ends a phrase.

    The samples of all themes are read as one text and their phrases counted with NumPy: read
    word by word in Python, naming cost more than clustering at 10,000 texts.
    """

    def __init__(self, texts, vectorizer, public, authors) -> None:
        self.texts, self.authors = texts, authors
        self.table: TokenTable = vectorizer.table_
        self.stop = stop_word_set(vectorizer.language)
        # What each token of the table is, looked up once: its public column, STOP, or -2.
        stems = np.asarray(self.table.stem_ids, dtype=np.int64)
        columns = vectorizer.unigram_columns(stems)
        public_columns = np.zeros(len(columns), dtype=bool)  # there may be no columns at all
        public_columns[columns >= 0] = public[columns[columns >= 0]]
        kinds = np.where(stems == STOP, STOP, np.where(public_columns, columns, STOP - 1))
        self.kinds: list[int] = kinds.tolist()

    def read(self, samples: list[np.ndarray], min_authors: int) -> Phrases:
        """Return the phrases of the texts of each theme's sample that may name it.

        A phrase needs `PHRASE_AUTHORS` distinct authors in its theme's sample, and each stop
        word in it `min_authors` authors among the theme's sampled texts: its content words are
        public by their columns, so then every word is.
        """
        rows = np.concatenate([*samples, np.zeros(0, dtype=np.int64)])
        theme_of_text = np.repeat(np.arange(len(samples)), [len(sample) for sample in samples])
        words, pieces = self._pieces(rows)
        kind = self._piece_kinds(words)[pieces]
        text = np.cumsum(pieces == 0) - 1  # piece 0 is the separator that starts each text
        theme = theme_of_text[text]
        author = self._author_codes(rows)[text]
        n_authors = int(author.max(initial=0)) + 1
        # A stop word too few wrote in a theme's sample disqualifies every phrase through it,
        # so it ends phrases just as a clause break does.
        stop = np.flatnonzero(kind == STOP)
        pairs, pair_of = np.unique(theme[stop] * len(words) + pieces[stop], return_inverse=True)
        written = np.unique(pair_of * n_authors + author[stop]) // n_authors
        common = np.bincount(written, minlength=len(pairs)) >= min_authors
        kind[stop[~common[pair_of]]] = _BREAK
        starts, lengths = _phrase_spans(kind)
        # Each phrase occurrence as one row: its theme, then its pieces, padded with -1.
        span = np.arange(PHRASE_WORDS[1])
        inside = span < lengths[:, None]
        position = np.minimum(starts[:, None] + span, len(pieces) - 1)
        keys = np.column_stack([theme[starts], np.where(inside, pieces[position], -1)])
        first, phrase_of = _distinct_rows(keys)
        said = np.unique(phrase_of * n_authors + author[starts]) // n_authors
        n_writers = np.bincount(said, minlength=len(first))
        kept = np.flatnonzero(n_writers >= PHRASE_AUTHORS)
        # Content columns of each kept phrase, a column met again in the phrase set to -1.
        columns = np.where(inside, kind[position], -1)[first[kept]]
        for later in range(1, columns.shape[1]):
            again = (columns[:, :later] == columns[:, later : later + 1]).any(axis=1)
            columns[again, later] = -1
        return Phrases(
            theme=keys[first[kept], 0],
            n_writers=n_writers[kept],
            columns=columns,
            starts=starts[first[kept]],
            lengths=lengths[first[kept]],
            pieces=pieces,
            words=words,
        )

    def _pieces(self, rows: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Return the distinct pieces of the texts at `rows` and each piece's index in them.

        Pieces are words, clause breaks and the separator that starts each text (index 0).
        """
        texts = [self.texts[row].replace(_SEPARATOR, " ") for row in rows.tolist()]
        found = _PIECE.findall(normalise("".join(_SEPARATOR + text for text in texts)))
        index = _Index({_SEPARATOR: 0})
        pieces = np.fromiter(map(index.__getitem__, found), dtype=np.int64, count=len(found))
        return list(index), pieces

    def _piece_kinds(self, words: list[str]) -> np.ndarray:
        """Per piece: its public column, `STOP`, -2 for another word, or `_BREAK`."""
        kinds = np.empty(len(words), dtype=np.int64)
        for index, word in enumerate(words):
            token = self.table.get(word)
            if not word[:1].isalnum():
                kinds[index] = _BREAK
            elif token is not None:
                kinds[index] = self.kinds[token]
            else:
                kinds[index] = STOP if word in self.stop else STOP - 1
        return kinds

    def _author_codes(self, rows: np.ndarray) -> np.ndarray:
        """A number per distinct author of the texts at `rows`; a text without one is its own."""
        if self.authors is None:
            return np.arange(len(rows))
        codes: dict = {}
        return np.fromiter(
            (
                codes.setdefault(
                    ("doc", row) if self.authors[row] is None else ("author", self.authors[row]),
                    len(codes),
                )
                for row in rows.tolist()
            ),
            dtype=np.int64,
            count=len(rows),
        )


class Phrases(NamedTuple):
    """The phrases that may name the themes, one entry per distinct phrase of a theme."""

    #: Theme of each phrase.
    theme: np.ndarray
    #: Distinct authors of each phrase in its theme's sample.
    n_writers: np.ndarray
    #: Content column of each word of each phrase, -1 for a stop word, a column met before
    #: in the phrase or no word; shape (n_phrases, longest phrase).
    columns: np.ndarray
    #: Where each phrase occurs first among `pieces`, and its number of words.
    starts: np.ndarray
    lengths: np.ndarray
    #: The pieces of the sampled texts, as indices into `words`.
    pieces: np.ndarray
    words: list[str]

    def words_of(self, phrase: int) -> tuple[str, ...]:
        """The words of one phrase."""
        start = int(self.starts[phrase])
        chosen = self.pieces[start : start + int(self.lengths[phrase])]
        return tuple(self.words[piece] for piece in chosen.tolist())


def _distinct_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the first row of each distinct row of `keys` and each row's distinct number.

    Rows are told apart by a 64-bit hash, which sorts many times faster than whole rows; should
    two different rows share a hash, the rows themselves are compared instead.
    """
    hashed = np.zeros(len(keys), dtype=np.uint64)
    for column in keys.T.astype(np.uint64):
        hashed = (hashed ^ column) * _MIX
        hashed ^= hashed >> np.uint64(29)
    _, first, number = np.unique(hashed, return_index=True, return_inverse=True)
    number = number.ravel()
    if (keys[first[number]] != keys).any():
        _, first, number = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        number = number.ravel()
    return first, number


class _Index(dict):
    """Number each distinct key on first sight, so ``map`` numbers a list in C."""

    def __missing__(self, key: str) -> int:
        self[key] = len(self)
        return self[key]


def _phrase_spans(kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the start and length of every phrase in a row of piece kinds.

    A phrase starts and ends with a content word (a column, ``>= 0``) and has only content and
    stop words in between.

    Examples
    --------
    >>> _phrase_spans(np.array([4, -1, 7, -2, 5, 6]))
    (array([0, 4]), array([3, 2]))
    """
    shortest, longest = PHRASE_WORDS
    padded = np.concatenate([kinds, np.full(longest, _BREAK)])
    n = len(kinds)
    open_ = kinds >= 0
    starts, lengths = [], []
    for length in range(2, longest + 1):
        following = padded[length - 1 : length - 1 + n]
        if length >= shortest:
            ends = np.flatnonzero(open_ & (following >= 0))
            starts.append(ends)
            lengths.append(np.full(len(ends), length))
        open_ = open_ & (following >= STOP)
    if not starts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts, lengths = np.concatenate(starts), np.concatenate(lengths)
    order = np.lexsort((lengths, starts))
    return starts[order], lengths[order]
