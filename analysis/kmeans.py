"""K-means as the themes use it, and the sampling, seeding and threading of the clustering.

The number of themes is chosen by silhouette. Each step here was tuned for speed on short texts
(see the notes on each); the figures they give are scikit-learn's.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans
from threadpoolctl import ThreadpoolController

_FULL_KMEANS_LIMIT = 20_000  # above this, mini-batch k-means is as good and much faster
_THREADPOOLS: ThreadpoolController | None = None  # found on first use, see one_thread


def silhouette(distances: np.ndarray, labels: np.ndarray, n_clusters: int) -> float:
    """Return the mean silhouette of `labels` given all pairwise `distances`.

    The same figure as scikit-learn's ``silhouette_score(distances, labels,
    metric="precomputed")``, in about half the time: each text's summed distance to every
    cluster comes from one matrix product. A text alone in its cluster scores 0.

    Examples
    --------
    >>> import numpy as np
    >>> points = np.array([[0.0], [0.1], [1.0], [1.2]])
    >>> round(silhouette(np.abs(points - points.T), np.array([0, 0, 1, 1]), 2), 4)
    0.8562
    """
    n = len(labels)
    rows = np.arange(n)
    sizes = np.bincount(labels, minlength=n_clusters)
    members = np.zeros((n, n_clusters), dtype=np.result_type(distances.dtype, np.float32))
    members[rows, labels] = 1
    mean = distances @ members
    own = sizes[labels]
    inside = mean[rows, labels] / np.maximum(own - 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean /= sizes
    mean[rows, labels] = np.inf
    mean[:, sizes == 0] = np.inf
    nearest = mean.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(own > 1, (nearest - inside) / np.maximum(inside, nearest), 0.0)
    return float(np.nan_to_num(scores).mean())


def search_k(score, low: int, high: int) -> None:
    """Call `score` on the numbers of themes worth trying between `low` and `high`.

    First a coarse grid that grows by about a third each step (2, 3, 4, 5, 6, 8, 10, 13, 17,
    22, 29, 30), so a clear peak at a small k is never jumped over; then every k between the
    grid's neighbours of its best point: 12 to 19 k instead of all 29. A golden-section
    search, cheaper still, missed a sharp peak at k=3 and chose worse k on the Danish set.
    """
    grid = [low]
    while grid[-1] < high:
        grid.append(min(high, max(grid[-1] + 1, round(grid[-1] * 1.3))))
    best = int(np.argmax([score(k) for k in grid]))
    for k in range(grid[max(best - 1, 0)] + 1, grid[min(best + 1, len(grid) - 1)]):
        score(k)


def kmeans(embedding: np.ndarray, n_clusters: int, random_state, starts=None) -> np.ndarray:
    """Cluster with full k-means on small data and mini-batch k-means on large data.

    One thread: on the few dimensions used, k-means is bound by memory, not arithmetic, and
    OpenMP threads waiting for each other made it several times slower on a busy machine.
    Full k-means keeps the best of runs from given `starts` when there are any: centres
    seeded on the sample that chose the number of themes, instead of on all texts, which made
    up two thirds of the k-means time at 10,000 texts.
    """
    seed = draw_seed(random_state)
    if len(embedding) > _FULL_KMEANS_LIMIT:
        model = MiniBatchKMeans(n_clusters, batch_size=4096, n_init=3, random_state=seed)
    elif starts:
        with one_thread():
            runs = [
                KMeans(n_clusters, init=start.astype(embedding.dtype), n_init=1).fit(embedding)
                for start in starts
            ]
        return min(runs, key=lambda run: run.inertia_).labels_
    else:
        model = KMeans(n_clusters, n_init=3, random_state=seed)
    with one_thread():
        return model.fit_predict(embedding)


def one_thread():
    """Limit BLAS and OpenMP to one thread for a while.

    The libraries are looked up once per process: ``threadpool_limits`` looks them up on every
    call, which cost 3 ms, three times a run.
    """
    global _THREADPOOLS
    if _THREADPOOLS is None:
        _THREADPOOLS = ThreadpoolController()
    return _THREADPOOLS.limit(limits=1)


def sample_rows(n: int, size: int, random_state) -> np.ndarray:
    """Return sorted indices of a random sample of at most `size` of `n` rows."""
    if n <= size:
        return np.arange(n)
    return np.sort(random_state.choice(n, size, replace=False))


def draw_seed(random_state) -> int:
    """Draw a seed for a scikit-learn component from our one random state."""
    return int(random_state.randint(np.iinfo(np.int32).max))
