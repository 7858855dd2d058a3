"""Describe clusters as themes: a readable name, top terms and representative members.

Terms are ranked by class-based TF-IDF: all members of a cluster are treated as one document,
so a term scores high when it is frequent in this cluster and rare in the others (the idea
behind BERTopic's ``ClassTfidfTransformer``, written anew here). Frequency is counted as the
number of members that use a term, so one long text repeating a word cannot dominate.

Only *public* terms, used by at least `min_group_size` distinct authors of the corpus, may appear
in a label or in the top terms: a name written in one or two contributions, or by one person in
many, never reaches the public page (see :func:`author_frequency`).

A theme's *name* is found by :mod:`analysis.naming`, its representative quotes by
:mod:`analysis.quotes`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import scipy.sparse as sp

from analysis.naming import Namer
from analysis.phrases import PhraseReader
from analysis.quotes import representatives
from analysis.types import Theme

#: Members of a theme read to find its name and quotes, spread evenly over its fit order.
SAMPLE_SIZE = 200
#: The word of a numbered name ("tema 3"), for a theme none of whose words enough people wrote.
NUMBERED = {"da": "tema", "en": "theme"}


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
    duplicate_of = np.full(len(labels), -1)
    for number, group in enumerate(duplicate_groups):
        duplicate_of[group] = number
    numbered = NUMBERED.get(getattr(vectorizer, "language", None), NUMBERED["en"])
    distinctive = _distinctiveness(vectors, labels, frequency)
    namer = Namer(distinctive, scores, names, public & ~phrase, numbered)
    members_of = _members_by_theme(labels, similarity, n_themes)
    samples = [_spread(members, SAMPLE_SIZE) for members in members_of]
    phrases = None
    if texts is not None and vectorizer is not None:
        phrases = PhraseReader(texts, vectorizer, public, authors).read(samples, min_authors)
    themes = []
    for theme, (members, sample) in enumerate(zip(members_of, samples, strict=True)):
        rows = vectors[sample]
        sampled_texts = [] if texts is None else [texts[row] for row in sample]
        terms = top_terms(scores[theme], names, public, n_terms, phrase=phrase)
        quotes = representatives(
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


def _members_by_theme(labels: np.ndarray, similarity: np.ndarray, n_themes: int) -> list:
    """Rows of each theme's members, the best fit to the theme's centre first."""
    order = np.lexsort((-similarity, labels))
    starts = np.searchsorted(labels[order], np.arange(n_themes + 1))
    return [order[starts[theme] : starts[theme + 1]] for theme in range(n_themes)]


def _spread(members: np.ndarray, size: int) -> np.ndarray:
    """At most `size` of `members`, evenly spread over their order, the first always in."""
    if len(members) <= size:
        return members
    return members[np.unique(np.linspace(0, len(members) - 1, size).round().astype(int))]
