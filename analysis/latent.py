"""The latent space the themes are found in, and how well each text fits a theme's centre.

Short texts share few words, so raw TF-IDF vectors are nearly orthogonal and k-means on them
splits by accident. Latent semantic analysis (a truncated SVD, rows scaled to unit length)
lets texts that use related words meet. The SVD is learnt on a sample and then applied to all
rows in one product, which keeps a million texts cheap.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state

from analysis.kmeans import draw_seed, one_thread, sample_rows

_CHUNK = 65_536


def lsa_embedding(
    vectors, n_components: int, random_state, sample_size: int = 20_000
) -> np.ndarray:
    """Project rows of `vectors` onto their main latent directions, as dense unit vectors.

    The SVD is learnt on at most `sample_size` rows: the directions of a large sample are those
    of the whole corpus, and the one product that projects every row costs little.

    Examples
    --------
    >>> import numpy as np
    >>> lsa_embedding(np.eye(4), 2, 0).shape
    (4, 2)
    """
    random_state = check_random_state(random_state)
    n_components = min(n_components, vectors.shape[1] - 1, vectors.shape[0] - 1)
    if n_components < 2:  # too few dimensions to reduce: use the vectors as they are
        dense = vectors.toarray() if sp.issparse(vectors) else np.asarray(vectors, dtype=np.float32)
        return normalize(dense.astype(np.float32)) if dense.shape[1] else dense
    svd = TruncatedSVD(n_components, n_iter=4, random_state=draw_seed(random_state))
    # Identical rows have zero variance, and the SVD's explained-variance ratio divides by it;
    # the components themselves are fine. One thread: the randomised SVD's dense steps are
    # too small to share, and BLAS threads spinning for a busy core made it take ten times
    # the CPU and up to a minute of waiting on a loaded machine.
    with np.errstate(invalid="ignore", divide="ignore"), one_thread():
        svd.fit(vectors[sample_rows(vectors.shape[0], sample_size, random_state)])
    components = svd.components_.T.astype(np.float32)
    return normalize(np.asarray(vectors @ components, dtype=np.float32), copy=False)


def centre_similarities(vectors, labels: np.ndarray, n_clusters: int) -> np.ndarray:
    """Return the cosine similarity of every row of `vectors` with the mean of each cluster.

    Measured on the original vectors, not the reduced ones: a few latent dimensions make every
    text look close to some centre, while a text that shares no words with its cluster's
    typical words is truly a poor fit.

    Examples
    --------
    >>> import numpy as np
    >>> centre_similarities(np.array([[1.0, 0], [0, 1], [1, 0]]), np.array([0, 1, 0]), 2)
    array([[1., 0.],
           [0., 1.],
           [1., 0.]], dtype=float32)
    """
    assigned = np.flatnonzero(labels >= 0)
    members = sp.csr_matrix(
        (np.ones(len(assigned)), (labels[assigned], assigned)),
        shape=(n_clusters, vectors.shape[0]),
    )
    centres = members @ vectors
    centres = normalize(centres.toarray() if sp.issparse(centres) else centres)
    centres = centres.T.astype(np.float32)
    similarity = np.empty((vectors.shape[0], n_clusters), dtype=np.float32)
    for start in range(0, vectors.shape[0], _CHUNK):
        similarity[start : start + _CHUNK] = vectors[start : start + _CHUNK] @ centres
    return similarity
