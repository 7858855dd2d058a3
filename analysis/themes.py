"""Describe clusters as themes: a readable name, top terms and representative members.

Terms are ranked by class-based TF-IDF: all members of a cluster are treated as one document,
so a term scores high when it is frequent in this cluster and rare in the others (the idea
behind BERTopic's ``ClassTfidfTransformer``, written anew here). Frequency is counted as the
number of members that use a term, so one long text repeating a word cannot dominate.

Only *public* terms, used by at least `min_group_size` distinct authors of the corpus, may appear
in a label or in the top terms: a name written in one or two contributions, or by one person in
many, never reaches the public page (see :func:`author_frequency`).

A theme's *name* is a short phrase its members wrote ("tid til faglig sparring"), found in a
sample of them: a run of two to five words within one clause, starting and ending with a public
content word, written by at least `min_group_size` distinct authors of the sample (so every word
of it passes the public rule too), scored by how typical its content words are of the theme
times how many wrote it. A name must also share a word with a third of the members, and no two
themes may share a name or a first word, so the names tell themes apart. Without such a phrase
the name is the theme's two or three most typical public words.

Representative quotes are chosen by maximal marginal relevance (Carbonell and Goldstein, 1998)
from members spread over the theme: each next quote is close to the theme's centre and far from
the quotes already chosen, and a quote identical or near-identical to one chosen is never
taken, so the quotes cover the theme instead of repeating its commonest sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Sequence
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from analysis.text import STOP, TokenTable, normalise, stop_word_set
from analysis.types import Theme

#: Members of a theme read to find its name and quotes, spread evenly over its fit order.
SAMPLE_SIZE = 200
#: Words of a name phrase.
PHRASE_WORDS = (2, 5)
#: Fewest distinct authors of a name phrase in the sample: a phrase one person wrote is theirs.
PHRASE_AUTHORS = 2
#: Least share of members that must contain a word of the name.
NAME_COVERAGE = 1 / 3
#: Most distinctive words of a theme among which a name of words is chosen.
WORD_CANDIDATES = 30
#: The word of a numbered name ("tema 3"), for a theme none of whose words enough people wrote.
NUMBERED = {"da": "tema", "en": "theme"}
#: Weight of fit to the centre against difference from the quotes already chosen.
RELEVANCE = 0.6
#: Breaks between clauses: a phrase never spans one.
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"“”„«»…/|\n\r\t]+|\s[-–—]+\s")
_WORD = re.compile(r"[^\W\d_]+")  # unlike the vectoriser, keeps "a" of "live in a rural area"
#: Words, clause breaks and the separator that starts each text, in the sampled texts joined
#: into one: the clause breaks of `_CLAUSE`, whose spaces are never the separator.
_PIECE = re.compile(r"[^\W\d_]+|\x1e|[.,;:!?()\[\]{}\"“”„«»…/|\n\r\t]+|[^\S\x1e][-–—]+[^\S\x1e]")
_SEPARATOR = "\x1e"
#: Kind of a clause break or separator among the pieces: it ends every phrase.
_BREAK = STOP - 2
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd constant that spreads bits when hashing


def class_tfidf(vectors, labels: np.ndarray, n_themes: int) -> np.ndarray:
    """Return the class-based TF-IDF of each term in each theme, shape (n_themes, n_terms).

    Parameters
    ----------
    vectors : sparse matrix of shape (n_documents, n_terms)
        Any document-term matrix; only which entries are non-zero matters.
    labels : ndarray of shape (n_documents,)
        Theme of each document, negative for none.
    n_themes : int
        Number of themes.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> vectors = sp.csr_matrix(np.array([[1, 1, 0], [1, 0, 1], [1, 0, 1]]))
    >>> class_tfidf(vectors, np.array([0, 1, 1]), 2).argmax(axis=1)
    array([1, 2])
    """
    return _class_tfidf(_frequency(vectors, labels, n_themes), n_themes)


def _class_tfidf(frequency: np.ndarray, n_themes: int) -> np.ndarray:
    """:func:`class_tfidf` from the members per theme that use each term."""
    term_frequency = frequency / np.maximum(frequency.sum(axis=1, keepdims=True), 1)
    mean_class_size = frequency.sum() / max(n_themes, 1)
    idf = np.log1p(mean_class_size / np.maximum(frequency.sum(axis=0), 1))
    return term_frequency * idf


def distinctiveness(vectors, labels: np.ndarray, n_themes: int) -> np.ndarray:
    """Return how much each term tells a theme's members apart, shape (n_themes, n_terms).

    The score is the term's share of the theme's members times the log of how much more often
    members use it than texts in general (its part in the Kullback-Leibler divergence of the
    theme from the corpus), and zero where members use it less. A word everybody writes that no
    stop-word list holds ("brug", "tid") is not much commoner in any one theme, so it scores low
    even where it is frequent, unlike in :func:`class_tfidf`.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> vectors = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [1, 0, 1], [1, 0, 1]]))
    >>> distinctiveness(vectors, np.array([0, 0, 1, 1]), 2).round(2)
    array([[0.  , 0.69, 0.  ],
           [0.  , 0.  , 0.69]])
    """
    return _distinctiveness(vectors, labels, _frequency(vectors, labels, n_themes))


def _distinctiveness(vectors, labels: np.ndarray, frequency: np.ndarray) -> np.ndarray:
    """:func:`distinctiveness` from the members per theme that use each term."""
    sizes = np.bincount(labels[labels >= 0], minlength=len(frequency))
    share = frequency / np.maximum(sizes, 1)[:, None]
    overall = np.bincount(sp.csr_matrix(vectors).indices, minlength=vectors.shape[1])
    overall = overall / max(vectors.shape[0], 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = np.log(share / overall)
    return np.where(share > 0, share * np.maximum(lift, 0), 0.0)


def _frequency(vectors, labels: np.ndarray, n_themes: int) -> np.ndarray:
    """Return how many members of each theme use each term, shape (n_themes, n_terms)."""
    assigned = np.flatnonzero(labels >= 0)
    membership = sp.csr_matrix(
        (np.ones(len(assigned), dtype=np.float32), (labels[assigned], assigned)),
        shape=(n_themes, vectors.shape[0]),
    )
    return (membership @ _presence(vectors)).toarray().astype(np.float64)


def _presence(vectors) -> sp.csr_matrix:
    """The 0/1 pattern of `vectors`, sharing its index arrays: a million rows are not copied."""
    vectors = sp.csr_matrix(vectors)
    ones = np.ones(vectors.nnz, dtype=np.float32)
    return sp.csr_matrix((ones, vectors.indices, vectors.indptr), shape=vectors.shape)


def author_frequency(vectors, authors: Sequence[Hashable | None]) -> np.ndarray:
    """Return, for each term, the number of distinct authors whose documents contain it.

    Document frequency would let one person who writes a name in six contributions pass a
    threshold of five; counting authors does not. A document without an author (``None``)
    counts as its own author, so without any authors this equals the document frequency.

    Parameters
    ----------
    vectors : sparse matrix of shape (n_documents, n_terms)
        Any document-term matrix; only which entries are non-zero matters.
    authors : sequence of shape (n_documents,)
        Author of each document (any hashable, such as a pseudonym) or ``None``.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> vectors = sp.csr_matrix(np.array([[1, 1], [1, 0], [1, 1]]))
    >>> author_frequency(vectors, ["ann", "bo", "ann"]).tolist()
    [2, 1]
    >>> author_frequency(vectors, [None, None, None]).tolist()
    [3, 2]
    """
    if all(author is None for author in authors):  # every document its own author
        return np.bincount(sp.csr_matrix(vectors).indices, minlength=vectors.shape[1])
    codes: dict = {}
    groups = np.fromiter(
        (
            codes.setdefault(("author", author) if author is not None else ("doc", row), len(codes))
            for row, author in enumerate(authors)
        ),
        dtype=np.int64,
        count=vectors.shape[0],
    )
    membership = sp.csr_matrix(
        (np.ones(len(groups), dtype=np.float32), (groups, np.arange(len(groups)))),
        shape=(len(codes), vectors.shape[0]),
    )
    used = (membership @ _presence(vectors)).tocsc()
    return np.diff(used.indptr)


def top_terms(scores, names, public, n_terms: int, *, phrase=None) -> list[str]:
    """Return the `n_terms` best public terms of one theme, without repeating words.

    On equal scores a two-word term comes first, as it reads better. A term whose words were
    all shown already adds nothing, and a single word shown inside a chosen two-word term is
    dropped.

    Examples
    --------
    >>> import numpy as np
    >>> names = np.array(["wage", "minimum wage", "minimum", "jens", "tax"])
    >>> top_terms(np.array([5, 4, 3, 9, 1.0]), names, np.array([1, 1, 1, 0, 1], bool), 3)
    ['minimum wage', 'tax']
    """
    chosen: list[str] = []
    covered: set[str] = set()
    phrase = np.char.find(names.astype(str), " ") >= 0 if phrase is None else phrase
    candidates = np.flatnonzero(public & (scores > 0))
    order = candidates[np.lexsort((~phrase[candidates], -scores[candidates]))]
    for column in order:
        words = set(names[column].split())
        if not words <= covered:
            chosen.append(str(names[column]))
            covered |= words
        if len(chosen) == n_terms:
            break
    phrases = {word for term in chosen if " " in term for word in term.split()}
    return [term for term in chosen if " " in term or term not in phrases]


def describe_themes(
    vectors,
    labels: np.ndarray,
    similarity: np.ndarray,
    names: np.ndarray,
    ids: Sequence[Hashable],
    *,
    public: np.ndarray,
    n_terms: int = 10,
    n_representatives: int = 5,
    texts: Sequence[str] | None = None,
    vectorizer=None,
    authors: Sequence[Hashable | None] | None = None,
    min_authors: int = 1,
    duplicate_groups: Sequence[np.ndarray] = (),
    duplicate_threshold: float = 0.9,
) -> tuple[Theme, ...]:
    """Turn cluster labels into :class:`Theme` objects, largest theme first.

    Parameters
    ----------
    vectors : sparse matrix of shape (n_documents, n_terms)
        Unit-length TF-IDF rows the labels are computed from.
    labels, similarity : ndarray of shape (n_documents,)
        Theme of each document (negative for none) and its fit to the theme's centre.
    names : ndarray of str
        Readable name of each term.
    ids : sequence
        Caller's id of each document.
    public : ndarray of bool
        Which terms may be shown publicly.
    n_terms, n_representatives : int
        How many top terms and representative members each theme gets.
    texts : sequence of str, optional
        The documents' texts; with `vectorizer`, themes are named by a phrase their members
        wrote, and identical texts are never both quoted. Without, by their typical words.
    vectorizer : TermVectorizer, optional
        The fitted vectoriser of `vectors`, which knows each word's stem and column.
    authors : sequence, optional
        Author of each document, or ``None`` for a document that is its own author.
    min_authors : int, default=1
        Fewest distinct authors who must have written each word of a name; `public` already
        says it of the terms.
    duplicate_groups : sequence of ndarray
        Groups of near-identical rows (:func:`analysis.duplicates.near_duplicate_groups`): at
        most one member of a group is quoted.
    duplicate_threshold : float, default=0.9
        Cosine similarity from which two quotes count as near-identical.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> vectors = sp.csr_matrix(np.array([[1, 0, 0], [0.6, 0.8, 0], [0, 0.6, 0.8]]))
    >>> names = np.array(["tid", "stress", "it"])
    >>> themes = describe_themes(
    ...     vectors, np.array([0, 0, -1]), np.array([0.9, 0.8, 0.0]), names,
    ...     ["a", "b", "c"], public=np.ones(3, bool))
    >>> themes[0].label, themes[0].member_ids, themes[0].representative_ids
    ('tid, stress', ('a', 'b'), ('a', 'b'))
    """
    n_themes = int(labels.max()) + 1 if len(labels) else 0
    vectors = sp.csr_matrix(vectors)
    frequency = _frequency(vectors, labels, n_themes)
    scores = _class_tfidf(frequency, n_themes)
    phrase = np.fromiter((" " in name for name in names.tolist()), dtype=bool, count=len(names))
    ids = np.fromiter(ids, dtype=object, count=len(labels))
    order = np.lexsort((-similarity, labels))
    starts = np.searchsorted(labels[order], np.arange(n_themes + 1))
    reader = None
    if texts is not None and vectorizer is not None:
        reader = _PhraseReader(texts, vectorizer, public, authors)
    duplicate_of = np.full(len(labels), -1)
    for number, group in enumerate(duplicate_groups):
        duplicate_of[group] = number
    namer = _Namer(
        _distinctiveness(vectors, labels, frequency),
        scores,
        names,
        public & ~phrase,
        NUMBERED.get(getattr(vectorizer, "language", None), NUMBERED["en"]),
    )
    members_of = [order[starts[theme] : starts[theme + 1]] for theme in range(n_themes)]
    samples = [_spread(members, SAMPLE_SIZE) for members in members_of]
    phrases = reader.read(samples, min_authors) if reader else None
    themes = []
    for theme, (members, sample) in enumerate(zip(members_of, samples, strict=True)):
        rows = vectors[sample]
        sampled_texts = [] if texts is None else [texts[row] for row in sample]
        terms = top_terms(scores[theme], names, public, n_terms, phrase=phrase)
        quotes = _representatives(
            rows,
            similarity[sample],
            duplicate_of[sample],
            None if texts is None else sampled_texts,
            n_representatives,
            duplicate_threshold,
        )
        themes.append(
            Theme(
                id=theme,
                label=namer.name(theme, rows, phrases, sampled_texts),
                top_terms=tuple(terms),
                member_ids=tuple(ids[members].tolist()),
                scores=tuple(np.round(similarity[members], 4).tolist()),
                representative_ids=tuple(ids[sample[quotes]].tolist()),
            )
        )
    return tuple(themes)


def _spread(members: np.ndarray, size: int) -> np.ndarray:
    """At most `size` of `members`, evenly spread over their order, the first always in."""
    if len(members) <= size:
        return members
    return members[np.unique(np.linspace(0, len(members) - 1, size).round().astype(int))]


def _representatives(rows, relevance, duplicate_of, texts, n, threshold) -> list[int]:
    """Pick up to `n` of `rows` by maximal marginal relevance, never two near-identical ones.

    Parameters
    ----------
    rows : sparse matrix
        Unit-length TF-IDF rows of the candidates, best fitting first.
    relevance : ndarray
        Each candidate's fit to the theme's centre.
    duplicate_of : ndarray of int
        Near-duplicate group of each candidate, ``-1`` for none.
    texts : list of str or None
        The candidates' texts, to rule out texts that differ only in case or punctuation.
    n : int
        Most quotes.
    threshold : float
        Cosine similarity from which two candidates are near-identical.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> rows = sp.csr_matrix(np.array([[1, 0], [1, 0], [0.8, 0.6], [0, 1.0]]))
    >>> _representatives(rows, np.array([0.9, 0.9, 0.8, 0.5]), np.full(4, -1), None, 3, 0.9)
    [0, 3, 2]
    """
    similar = (rows @ rows.T).toarray()
    allowed = np.ones(len(relevance), dtype=bool)
    redundancy = np.zeros(len(relevance))
    keys: dict[int, str] = {}
    chosen: list[int] = []
    while allowed.any() and len(chosen) < n:
        gain = RELEVANCE * relevance - (1 - RELEVANCE) * redundancy
        best = int(np.argmax(np.where(allowed, gain, -np.inf)))
        chosen.append(best)
        redundancy = np.maximum(redundancy, similar[best])
        allowed &= similar[best] < threshold - 1e-6
        if duplicate_of[best] >= 0:
            allowed &= duplicate_of != duplicate_of[best]
        allowed[best] = False
        if texts is not None:
            # Texts with the same words have the same row, so only texts as close to the quote
            # as it is to itself are read: usually none, as the threshold ruled them out.
            same = np.flatnonzero(allowed & (similar[best] >= similar[best, best] * (1 - 1e-5)))
            for other in same.tolist():
                if _words_of(texts, other, keys) == _words_of(texts, best, keys):
                    allowed[other] = False
    return chosen


def _words_of(texts, index: int, known: dict[int, str]) -> str:
    """The words of ``texts[index]``, without case or punctuation, read once."""
    if index not in known:
        known[index] = " ".join(_WORD.findall(normalise(texts[index])))
    return known[index]


class _PhraseReader:
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


class _Namer:
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
