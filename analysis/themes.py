"""Describe clusters as themes: readable top terms, a label and representative members.

Terms are ranked by class-based TF-IDF: all members of a cluster are treated as one document,
so a term scores high when it is frequent in this cluster and rare in the others (the idea
behind BERTopic's ``ClassTfidfTransformer``, written anew here). Frequency is counted as the
number of members that use a term, so one long text repeating a word cannot dominate.

Only *public* terms, used by at least `min_group_size` distinct authors of the corpus, may appear
in a label or in the top terms: a name written in one or two contributions, or by one person in
many, never reaches the public page (see :func:`author_frequency`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import scipy.sparse as sp

from analysis.types import Theme


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
    present = sp.csr_matrix(vectors, copy=True)
    present.data[:] = 1
    assigned = np.flatnonzero(labels >= 0)
    membership = sp.csr_matrix(
        (np.ones(len(assigned)), (labels[assigned], assigned)), shape=(n_themes, vectors.shape[0])
    )
    frequency = np.asarray((membership @ present).todense())
    term_frequency = frequency / np.maximum(frequency.sum(axis=1, keepdims=True), 1)
    mean_class_size = frequency.sum() / max(n_themes, 1)
    idf = np.log1p(mean_class_size / np.maximum(frequency.sum(axis=0), 1))
    return term_frequency * idf


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
    codes: dict = {}
    groups = np.fromiter(
        (
            codes.setdefault(("author", author) if author is not None else ("doc", row), len(codes))
            for row, author in enumerate(authors)
        ),
        dtype=np.int64,
        count=vectors.shape[0],
    )
    present = sp.csr_matrix(vectors, copy=True)
    present.data[:] = 1
    membership = sp.csr_matrix(
        (np.ones(len(groups)), (groups, np.arange(len(groups)))),
        shape=(len(codes), vectors.shape[0]),
    )
    used = (membership @ present).tocsc()
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
    order = np.lexsort((~phrase, -scores))
    for column in order[public[order] & (scores[order] > 0)]:
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
) -> tuple[Theme, ...]:
    """Turn cluster labels into :class:`Theme` objects, largest theme first.

    Parameters
    ----------
    vectors : sparse matrix of shape (n_documents, n_terms)
        Document-term matrix the labels are computed from.
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

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> vectors = sp.csr_matrix(np.array([[1, 1, 0], [1, 0, 1], [0, 1, 1]]))
    >>> names = np.array(["tid", "stress", "it"])
    >>> themes = describe_themes(
    ...     vectors, np.array([0, 0, -1]), np.array([0.9, 0.8, 0.0]), names,
    ...     ["a", "b", "c"], public=np.ones(3, bool))
    >>> themes[0].label, themes[0].member_ids, themes[0].representative_ids
    ('tid, stress, it', ('a', 'b'), ('a', 'b'))
    """
    n_themes = int(labels.max()) + 1 if len(labels) else 0
    scores = class_tfidf(vectors, labels, n_themes)
    phrase = np.char.find(names.astype(str), " ") >= 0
    ids = np.fromiter(ids, dtype=object, count=len(labels))
    order = np.lexsort((-similarity, labels))
    starts = np.searchsorted(labels[order], np.arange(n_themes + 1))
    themes = []
    for theme in range(n_themes):
        members = order[starts[theme] : starts[theme + 1]]
        terms = top_terms(scores[theme], names, public, n_terms, phrase=phrase)
        themes.append(
            Theme(
                id=theme,
                label=", ".join(terms[:3]) or f"theme {theme + 1}",
                top_terms=tuple(terms),
                member_ids=tuple(ids[members].tolist()),
                scores=tuple(np.round(similarity[members], 4).tolist()),
                representative_ids=tuple(ids[members[:n_representatives]].tolist()),
            )
        )
    return tuple(themes)
