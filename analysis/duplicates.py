"""Find groups of near-identical contributions, fast enough for a million texts.

Comparing every pair is out of the question at that size, so candidate pairs come from
MinHash locality-sensitive hashing on each text's set of terms: texts that share most terms
very likely share a band of min-hashes. Every text is compared, by exact TF-IDF cosine, only with
the first text of each bucket it falls in, so the work grows linearly with the corpus even when
thousands of texts are identical. Accepted pairs are joined into groups.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.utils import check_random_state

_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd constant that spreads bits when combining hashes
_STEP = 65_536  # rows or pairs handled at once, to bound the memory of large corpora


def near_duplicate_groups(
    vectors, *, threshold: float = 0.9, n_bands: int = 8, band_size: int = 3, random_state=None
) -> list[np.ndarray]:
    """Return groups of row indices whose vectors have cosine similarity ≥ `threshold`.

    Parameters
    ----------
    vectors : sparse matrix of shape (n_documents, n_terms)
        Unit-length TF-IDF rows.
    threshold : float, default=0.9
        Smallest cosine similarity of two near-duplicates.
    n_bands, band_size : int, default=8 and 3
        MinHash bands and hashes per band; more bands find more pairs and cost more time.
    random_state : int, RandomState instance or None, default=None
        Seed of the hash functions.

    Returns
    -------
    list of ndarray
        Each array holds the sorted row indices of one group of at least two texts; larger
        groups first. A group may chain texts that are each close to a neighbour.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> vectors = sp.csr_matrix(np.array([[1, 0, 0], [0, 1, 0], [1, 0, 0], [0.6, 0.8, 0]]))
    >>> near_duplicate_groups(vectors, random_state=0)
    [array([0, 2])]
    """
    vectors = sp.csr_matrix(vectors)
    random_state = check_random_state(random_state)
    rows = np.flatnonzero(np.diff(vectors.indptr))
    pairs = [
        _verified_pairs(
            vectors, rows, _band_keys(vectors, rows, band_size, random_state), threshold
        )
        for _ in range(n_bands)
    ]
    first = np.concatenate([pair[0] for pair in pairs] + [np.zeros(0, int)])
    second = np.concatenate([pair[1] for pair in pairs] + [np.zeros(0, int)])
    graph = sp.coo_matrix((np.ones(len(first)), (first, second)), shape=(vectors.shape[0],) * 2)
    _, component = connected_components(graph, directed=False)
    return _groups(component)


def _band_keys(vectors, rows: np.ndarray, band_size: int, random_state) -> np.ndarray:
    """Combine `band_size` min-hashes of each non-empty row into one bucket key."""
    keys = np.zeros(len(rows), dtype=np.uint64)
    for _ in range(band_size):
        term_hash = random_state.randint(0, 2**62, size=vectors.shape[1], dtype=np.int64)
        min_hash = np.empty(len(rows), dtype=np.int64)
        # A step of rows at a time, so the hashes of every term occurrence are not all alive.
        for start in range(0, len(rows), _STEP):
            part = rows[start : start + _STEP]
            begin, end = vectors.indptr[part[0]], vectors.indptr[part[-1] + 1]
            min_hash[start : start + _STEP] = np.minimum.reduceat(
                term_hash[vectors.indices[begin:end]], vectors.indptr[part] - begin
            )
        keys = (keys ^ min_hash.astype(np.uint64)) * _MIX
    return keys


def _verified_pairs(vectors, rows, keys, threshold) -> tuple[np.ndarray, np.ndarray]:
    """Pair each row with the first row of its bucket and keep pairs similar enough."""
    order = np.argsort(keys, kind="stable")
    starts = np.r_[True, keys[order][1:] != keys[order][:-1]]
    leader = order[np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))]
    candidate = leader != order
    first, second = rows[leader[candidate]], rows[order[candidate]]
    close = np.zeros(len(first), dtype=bool)
    # A step of pairs at a time: the rows of every pair at once are two more copies of much of
    # the matrix.
    for start in range(0, len(first), _STEP):
        step = slice(start, start + _STEP)
        products = vectors[first[step]].multiply(vectors[second[step]])
        similarity = np.asarray(products.sum(axis=1)).ravel()
        close[step] = similarity >= threshold - 1e-6  # float32 rounding of identical texts
    return first[close], second[close]


def _groups(component: np.ndarray) -> list[np.ndarray]:
    """Split rows by component, keeping only components of two or more rows."""
    members = np.flatnonzero(np.bincount(component)[component] > 1)
    members = members[np.argsort(component[members], kind="stable")]
    groups = np.split(members, np.flatnonzero(np.diff(component[members])) + 1)
    return sorted((group for group in groups if len(group)), key=lambda g: (-len(g), g[0]))
