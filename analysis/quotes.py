"""A theme's representative quotes: close to its centre, far from each other, never repeated.

Quotes are chosen by maximal marginal relevance (Carbonell and Goldstein, 1998) from members
spread over the theme: each next quote is close to the theme's centre and far from the quotes
already chosen, and a quote identical or near-identical to one chosen is never taken, so the
quotes cover the theme instead of repeating its commonest sentence.
"""

from __future__ import annotations

import re

import numpy as np

from analysis.text import normalise

#: Weight of fit to the centre against difference from the quotes already chosen.
RELEVANCE = 0.6
_WORD = re.compile(r"[^\W\d_]+")  # unlike the vectoriser, keeps "a" of "live in a rural area"


def representatives(rows, relevance, duplicate_of, texts, n, threshold) -> list[int]:
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
    >>> representatives(rows, np.array([0.9, 0.9, 0.8, 0.5]), np.full(4, -1), None, 3, 0.9)
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
