"""Name themes by a phrase their members wrote, or by their most typical public words.

A theme's *name* is a short phrase its members wrote ("tid til faglig sparring"), found in a
sample of them: a run of two to five words within one clause, starting and ending with a public
content word, written by at least `min_group_size` distinct authors of the sample (so every word
of it passes the public rule too), scored by how typical its content words are of the theme
times how many wrote it. A name must also share a word with a third of the members, and no two
themes may share a name or a first word, so the names tell themes apart. Without such a phrase
the name is the theme's two or three most typical public words. What is *public* is said in
:mod:`analysis.themes`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from analysis.text import STOP, TokenTable, normalise, stop_word_set

#: Words of a name phrase.
PHRASE_WORDS = (2, 5)
#: Fewest distinct authors of a name phrase in the sample: a phrase one person wrote is theirs.
PHRASE_AUTHORS = 2
#: Least share of members that must contain a word of the name.
NAME_COVERAGE = 1 / 3
#: Most distinctive words of a theme among which a name of words is chosen.
WORD_CANDIDATES = 30
#: Breaks between clauses: a phrase never spans one.
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"“”„«»…/|\n\r\t]+|\s[-–—]+\s")
#: Words, clause breaks and the separator that starts each text, in the sampled texts joined
#: into one: the clause breaks of `_CLAUSE`, whose spaces are never the separator.
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

    def read(self, samples: list[np.ndarray], min_authors: int) -> _Phrases:
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
        return _Phrases(
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


class _Phrases(NamedTuple):
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


class Namer:
    """Name themes one after the other, so that no two share a name or a first word."""

    def __init__(self, scores, typical, names, words, numbered: str) -> None:
        self.scores, self.typical, self.names, self.words = scores, typical, names, words
        self.numbered = numbered
        self.used_names: set[str] = set()
        self.used_first: set[str] = set()

    def name(self, theme: int, rows, phrases: _Phrases | None, texts) -> str:
        """Return the name of `theme` from its sampled `rows`, their `phrases` and `texts`.

        Phrases are tried by how typical their content words are times how many wrote them,
        equal scores in the order of their words; the words are only read for those tried.
        """
        if phrases is not None:
            mine = np.flatnonzero(phrases.theme == theme)
            columns = phrases.columns[mine]
            typical = np.where(columns >= 0, self.scores[theme][np.maximum(columns, 0)], 0.0)
            scores = typical.sum(axis=1) * phrases.n_writers[mine]
            order = np.argsort(-scores, kind="stable")
            present = rows.tocsc()
            bounds = [0, *(np.flatnonzero(np.diff(scores[order]) != 0) + 1).tolist(), len(order)]
            for begin, end in zip(bounds[:-1], bounds[1:], strict=True):
                tied = mine[order[begin:end]].tolist()
                for words, phrase in sorted((phrases.words_of(i), i) for i in tied):
                    if words[0] in self.used_first:
                        continue
                    wanted = phrases.columns[phrase]
                    if _coverage(present, wanted[wanted >= 0]) >= NAME_COVERAGE:
                        name = spelling(words, texts)
                        if name.casefold() not in self.used_names:
                            return self._use(words[0], name)
        return self._words(theme, rows)

    def _words(self, theme: int, rows) -> str:
        """Two or three distinctive public words that together occur in many members.

        From the theme's most distinctive words, each next word is the one found in most of
        the members that the words chosen so far miss; the first is never first elsewhere.
        """
        scores, typical = self.scores[theme], self.typical[theme]
        order = np.lexsort((-typical, -scores))
        order = order[self.words[order] & (typical[order] > 0)][:WORD_CANDIDATES]
        present = rows[:, order].toarray() > 0 if len(order) else np.zeros((0, 0), bool)
        missed = np.ones(rows.shape[0], dtype=bool)
        chosen: list[int] = []
        while len(chosen) < 3 and len(chosen) < len(order):
            gain = (present & missed[:, None]).sum(axis=0).astype(float)
            gain[chosen] = -1
            if not chosen:
                gain[[str(self.names[column]) in self.used_first for column in order]] = -1
            if gain.max() < 0 or (len(chosen) >= 2 and missed.mean() <= 1 - NAME_COVERAGE):
                break
            best = int(np.argmax(gain))  # ties: the more distinctive, which comes first
            chosen.append(best)
            missed &= ~present[:, best]
        if not chosen:
            name = f"{self.numbered} {theme + 1}"
            return self._use(name, name)
        words = [str(self.names[order[index]]) for index in chosen]
        return self._use(words[0], ", ".join(words))

    def _use(self, first: str, name: str) -> str:
        self.used_first.add(first)
        self.used_names.add(name.casefold())
        return name


def spelling(words: Sequence[str], texts: Sequence[str]) -> str:
    """Return the phrase of normalised `words` as most `texts` write it, or the words joined.

    The writers' own hyphens and capitals are kept ("IT-systemerne"), but a capital that only
    starts a sentence is not.

    Examples
    --------
    >>> spelling(["it", "systemerne", "taler"], ["IT-systemerne taler ikke.", "It systemerne"])
    'IT-systemerne taler'
    >>> spelling(["ventetiden", "er"], ["Ventetiden er lang", "ventetiden  er"])
    'ventetiden er'
    """
    pattern = re.compile(
        r"(?<![^\W\d_])" + r"[\W\d_]+".join(map(re.escape, words)) + r"(?![^\W\d_])",
        re.IGNORECASE,
    )
    found: Counter = Counter()
    for text in texts:
        match = pattern.search(text)
        if match and not _CLAUSE.search(match.group()):
            spelled = " ".join(match.group().split())
            capitals = [word[:1].isupper() for word in spelled.split()]
            if capitals[0] and not spelled[1:2].isupper() and not any(capitals[1:]):
                spelled = spelled[0].lower() + spelled[1:]
            found[spelled] += 1
    return found.most_common(1)[0][0] if found else " ".join(words)


def _coverage(present: sp.csc_matrix, columns) -> float:
    """Share of the rows of `present` that contain any of `columns`."""
    if not present.shape[0]:
        return 0.0
    covered = np.zeros(present.shape[0], dtype=bool)
    for column in columns:
        covered[present.indices[present.indptr[column] : present.indptr[column + 1]]] = True
    return float(covered.mean())
