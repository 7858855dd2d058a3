"""Group document vectors into themes, choosing how many themes there are.

Texts are grouped in the latent space of :mod:`analysis.latent`. The number of themes is
chosen by the mean silhouette of k-means clusterings of a sample, over a range of k, so it is
reproducible for a given seed. Texts far from their theme's centre and
themes too small to report become *unassigned*, so a minority view stays visible instead of
being absorbed by the nearest large theme.

Sentence embeddings are grouped better by spectral clustering of their nearest-neighbour graph
than by k-means (``algorithm="spectral"``): a theme of many ways of saying one thing is a chain
of close neighbours rather than a ball around one centre, which k-means cuts up or merges.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.manifold import spectral_embedding
from sklearn.metrics import pairwise_distances
from sklearn.neighbors import kneighbors_graph
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state

from analysis.kmeans import draw_seed, kmeans, one_thread, sample_rows, search_k, silhouette
from analysis.latent import centre_similarities, lsa_embedding
from analysis.vectorize import Progress

#: Label of texts that belong to no theme.
UNASSIGNED = -1
#: The ways of grouping texts once the number of themes is chosen, the default first.
ALGORITHMS = ("kmeans", "spectral")

#: k-means++ starts of the k-means of all texts, beside the sample's run. A second one moved the
#: NMI of no benchmark set (50 samples each, under 0.001) and cost a k-means of all texts.
_FRESH_STARTS = 1


class ThemeClusterer(ClusterMixin, BaseEstimator):
    """Cluster unit-length document vectors into themes, with an explicit unassigned group.

    Parameters
    ----------
    n_themes : int or None, default=None
        Number of clusters; ``None`` chooses it by silhouette between 2 and `max_themes`.
    max_themes : int, default=30
        Largest number of themes tried when choosing automatically; never more than one per
        `min_theme_size` texts.
    min_themes : int, default=2
        Smallest number of themes tried when choosing automatically.
    n_components : int, default=10
        Dimensions kept by the latent semantic analysis. Few dimensions keep only the main
        contrasts between texts, which is what short texts need; on the benchmarks 8 to 15
        cluster best, and the silhouette then peaks at a usable number of themes.
    min_theme_size : int, default=5
        Clusters with fewer members are dissolved into the unassigned group.
    min_similarity : float, default=0.05
        Texts whose cosine similarity to the mean vector of their cluster is lower (they share
        almost no weighted terms with it) stay unassigned.
    sample_size : int, default=1000
        Texts used to choose the number of themes.
    algorithm : {"kmeans", "spectral"}, default="kmeans"
        How the texts are grouped once the number of themes is chosen: k-means in the latent
        space, or spectral clustering of the graph that links each text to its `n_neighbors`
        most similar texts (cosine of the original vectors), which suits sentence embeddings.
    n_neighbors : int, default=10
        Neighbours of each text in the spectral algorithm's graph.
    graph_size : int, default=10000
        Most texts in the spectral algorithm's graph; beyond it, the graph is built on a sample
        and every other text joins the theme whose mean vector it is most similar to.
    random_state : int, RandomState instance or None, default=None
        Seed for the SVD, the samples and k-means; fix it for reproducible themes.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Theme of each text, numbered from the largest theme; ``-1`` for unassigned.
    similarity_ : ndarray of shape (n_samples,)
        Cosine similarity of each text to the mean vector of its theme (0 if unassigned).
    n_clusters_ : int
        Number of k-means clusters, before small ones were dissolved.
    silhouette_scores_ : dict of int to float
        Mean silhouette on the sample for each k tried (empty if `n_themes` was given).

    Examples
    --------
    >>> import numpy as np
    >>> vectors = np.array([[1, 0, 0], [0.9, 0.1, 0], [1, 0.1, 0], [0, 1, 0], [0, 0.9, 0.1]])
    >>> ThemeClusterer(min_theme_size=2, random_state=0).fit(vectors).labels_
    array([0, 0, 0, 1, 1])
    """

    def __init__(
        self,
        n_themes=None,
        *,
        max_themes=30,
        min_themes=2,
        n_components=10,
        min_theme_size=5,
        min_similarity=0.05,
        sample_size=1000,
        algorithm="kmeans",
        n_neighbors=10,
        graph_size=10_000,
        random_state=None,
    ):
        self.n_themes = n_themes
        self.max_themes = max_themes
        self.min_themes = min_themes
        self.n_components = n_components
        self.min_theme_size = min_theme_size
        self.min_similarity = min_similarity
        self.sample_size = sample_size
        self.algorithm = algorithm
        self.n_neighbors = n_neighbors
        self.graph_size = graph_size
        self.random_state = random_state

    def fit(self, X, y=None, progress: Progress | None = None):  # noqa: N803 - scikit-learn name
        """Cluster the rows of `X` (one vector per text); return ``self``."""
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f"algorithm must be one of {ALGORITHMS}, not {self.algorithm!r}")
        vectors = X
        report = progress or (lambda stage, done, total: None)
        random_state = check_random_state(self.random_state)
        embedding = lsa_embedding(vectors, self.n_components, random_state)
        report("reduce", 1, 1)
        occupied = np.flatnonzero(np.abs(embedding).sum(axis=1) > 0)
        self.silhouette_scores_: dict[int, float] = {}
        self.n_clusters_, starts = self._choose_n_clusters(embedding[occupied], random_state)
        report("choose themes", 1, 1)
        labels = np.full(vectors.shape[0], UNASSIGNED)
        similarity = np.zeros((vectors.shape[0], 0), dtype=np.float32)
        if self.n_clusters_ and self.algorithm == "spectral":
            labels = self._spectral(vectors, occupied, random_state)
        elif self.n_clusters_:
            labels[occupied] = kmeans(embedding[occupied], self.n_clusters_, random_state, starts)
        if self.n_clusters_:
            similarity = centre_similarities(vectors, labels, self.n_clusters_)
        report("cluster", 1, 1)
        self.labels_, self.similarity_ = self._settle(labels, similarity)
        return self

    def _choose_n_clusters(self, embedding: np.ndarray, random_state) -> tuple[int, object]:
        """Return the caller's number of themes or the best one by silhouette on a sample.

        With the number chosen come starting centres for the k-means of all texts (else None):
        those of its run on the sample, and a fresh k-means++ seed drawn from the sample.
        Spectral clustering draws none, so its random numbers are those it had before.

        Not every k is tried (see :func:`analysis.kmeans.search_k`): 12 to 19 k-means runs and
        silhouettes instead of 29. The silhouette curve of short texts is flat near its top, so
        the k found scores as well on the benchmarks (NMI over five samples of each set,
        benchmarks/RESULTS.md).
        """
        # float64 because scikit-learn's pairwise distances are several times faster in it
        sample = embedding[sample_rows(len(embedding), self.sample_size, random_state)]
        sample = sample.astype(np.float64)
        n_distinct = len(np.unique(sample.round(4), axis=0))
        if self.n_themes is not None:
            return min(self.n_themes, n_distinct), None
        largest = min(
            self.max_themes,
            n_distinct,
            len(sample) - 1,
            len(embedding) // max(self.min_theme_size, 1),
        )
        smallest = max(2, min(self.min_themes, largest))
        if largest < smallest:
            return min(1, n_distinct), None
        # One thread: on a small sample, waking OpenMP threads costs more than it saves. The
        # distances between the sample's texts are computed once, not once per k.
        # Two k-means starts per k on a small corpus, where one bad start sank the right k's
        # silhouette (the workbench's 30 texts on three topics came out as two themes). On a
        # full sample of TF-IDF texts one start chose as well (NMI over 50 samples of each
        # benchmark set +0.001, +0.000, +0.000) in half the time; the semantic method keeps two,
        # with which its figures were measured.
        full = len(sample) >= self.sample_size and self.algorithm == "kmeans"
        n_init = 1 if full else 2
        with one_thread():
            # The silhouettes' products take half the time in single precision, and agree
            # with double precision to six digits.
            distances = pairwise_distances(sample).astype(np.float32)

            def score(k: int) -> float:
                if k not in self.silhouette_scores_:
                    model = KMeans(k, n_init=n_init, random_state=draw_seed(random_state))
                    model.fit(sample)
                    centres[k] = model.cluster_centers_
                    self.silhouette_scores_[k] = silhouette(distances, model.labels_, k)
                return self.silhouette_scores_[k]

            centres: dict[int, np.ndarray] = {}
            search_k(score, smallest, largest)
        best = max(self.silhouette_scores_, key=self.silhouette_scores_.__getitem__)
        if self.algorithm != "kmeans":
            return best, None
        fresh = [
            kmeans_plusplus(sample, best, random_state=draw_seed(random_state))[0]
            for _ in range(_FRESH_STARTS)
        ]
        return best, [centres[best], *fresh]

    def _spectral(self, vectors, occupied: np.ndarray, random_state) -> np.ndarray:
        """Return spectral clusters of the neighbour graph of (a sample of) the `occupied` rows.

        The graph is symmetric: two texts are linked when either is among the other's
        nearest neighbours. The rows of the first `n_clusters_` eigenvectors of its normalised
        Laplacian are then grouped by k-means, much as scikit-learn's ``SpectralClustering``
        does. Rows are indexed, never copied whole: 100,000 embeddings take 150 MB.
        """
        n_clusters = self.n_clusters_
        labels = np.full(vectors.shape[0], UNASSIGNED)
        sample = occupied[sample_rows(len(occupied), self.graph_size, random_state)]
        n_neighbors = min(self.n_neighbors, len(sample) - 1)
        if n_clusters == 1 or n_neighbors < 1:
            labels[occupied] = 0
            return labels
        graph = kneighbors_graph(normalize(vectors[sample]), n_neighbors, include_self=False)
        graph = 0.5 * (graph + graph.T)
        seed = draw_seed(random_state)
        with warnings.catch_warnings():
            # Separate components (say, texts copied word for word) are fine: each then has
            # eigenvectors of its own and becomes a theme or joins one.
            warnings.filterwarnings("ignore", "Graph is not fully connected", UserWarning)
            # lobpcg is many times faster than arpack here. Its notes that it stopped a few
            # digits short of its tolerance, or solved a small graph densely, are no fault:
            # such digits of the eigenvectors do not move texts between themes.
            warnings.filterwarnings(
                "ignore", "(Exited|Failed at iteration|The problem size)", UserWarning
            )
            maps = spectral_embedding(
                graph,
                n_components=n_clusters,
                eigen_solver="lobpcg",
                random_state=seed,
                drop_first=False,
            )
        with one_thread():
            labels[sample] = KMeans(n_clusters, n_init=10, random_state=seed).fit_predict(maps)
        if len(sample) < len(occupied):
            # A row's length scales all its similarities alike, so its best theme is the same.
            rest = np.setdiff1d(occupied, sample, assume_unique=True)
            similarity = centre_similarities(vectors, labels, n_clusters)
            labels[rest] = np.argmax(similarity[rest], axis=1)
        return labels

    def _settle(self, labels: np.ndarray, similarity: np.ndarray) -> tuple:
        """Dissolve small clusters, unassign poor fits, and number themes from the largest.

        Members of a dissolved cluster move to the kept cluster they are most similar to, so a
        small corpus is not left mostly unassigned; only texts that fit no kept theme stay out.
        """
        if not self.n_clusters_:
            return labels, np.zeros(len(labels), dtype=np.float32)
        sizes = np.bincount(labels[labels >= 0], minlength=self.n_clusters_)
        kept = sizes >= self.min_theme_size
        rows = np.arange(len(labels))
        if kept.any():
            best = np.argmax(np.where(kept, similarity, -np.inf), axis=1)
            labels = np.where(labels >= 0, np.where(kept[labels], labels, best), UNASSIGNED)
        assigned = labels >= 0
        fit = np.where(
            assigned, similarity[rows, labels], 0
        )  # label -1 would index the last column
        labels = np.where(assigned & (fit >= self.min_similarity) & kept[labels], labels, -1)
        sizes = np.bincount(labels[labels >= 0], minlength=self.n_clusters_)
        order = np.argsort(-sizes, kind="stable")
        renumber = np.full(self.n_clusters_ + 1, UNASSIGNED)
        kept = order[sizes[order] >= self.min_theme_size]
        renumber[kept] = np.arange(len(kept))
        return renumber[labels], np.where(labels >= 0, fit, 0).astype(np.float32)


def cluster_documents(
    vectors, n_themes: int | None = None, **params
) -> tuple[np.ndarray, np.ndarray]:
    """Cluster document vectors into themes in one call.

    Parameters
    ----------
    vectors : {array-like, sparse matrix} of shape (n_samples, n_features)
        Document vectors, for example TF-IDF rows.
    n_themes : int or None, default=None
        Number of themes; ``None`` chooses it.
    **params
        Further parameters of :class:`ThemeClusterer`.

    Returns
    -------
    labels : ndarray of shape (n_samples,)
        Theme of each text, ``-1`` for unassigned.
    similarity : ndarray of shape (n_samples,)
        Cosine similarity of each text to its cluster centre.

    Examples
    --------
    >>> import numpy as np
    >>> vectors = np.array([[1, 0], [1, 0.1], [0.1, 1], [0, 1]])
    >>> cluster_documents(vectors, 2, min_theme_size=1, random_state=0)[0]
    array([0, 0, 1, 1])
    """
    clusterer = ThemeClusterer(n_themes, **params).fit(vectors)
    return clusterer.labels_, clusterer.similarity_
