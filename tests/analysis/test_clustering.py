import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_moons
from sklearn.metrics import adjusted_rand_score

from analysis.clustering import (
    UNASSIGNED,
    ThemeClusterer,
    cluster_documents,
)
from analysis.vectorize import TermVectorizer


@pytest.fixture(scope="module")
def staff_vectors(staff_texts):
    return TermVectorizer("da").fit_transform(staff_texts)


def test_finds_the_three_themes_without_being_told(staff_vectors):
    labels = ThemeClusterer(random_state=0).fit(staff_vectors).labels_
    assert set(labels) == {0, 1, 2}
    for block in np.split(labels, 3):  # each block of ten texts is one theme
        assert len(set(block)) == 1


def test_same_seed_gives_same_labels_and_other_params_are_respected(staff_vectors):
    first = ThemeClusterer(random_state=3).fit(staff_vectors)
    second = ThemeClusterer(random_state=3).fit(staff_vectors)
    assert np.array_equal(first.labels_, second.labels_)
    assert ThemeClusterer(2, min_theme_size=1, random_state=0).fit(staff_vectors).n_clusters_ == 2
    assert first.silhouette_scores_
    assert max(first.silhouette_scores_) <= 30 // 5  # at most one theme per five texts


def test_init_only_stores_parameters_so_clone_works():
    clusterer = ThemeClusterer(4, min_similarity=0.3, random_state=1)
    assert clone(clusterer).get_params() == clusterer.get_params()


def test_function_twin_matches_estimator(staff_vectors):
    labels, similarity = cluster_documents(staff_vectors, random_state=0)
    fitted = ThemeClusterer(random_state=0).fit(staff_vectors)
    assert np.array_equal(labels, fitted.labels_)
    assert np.allclose(similarity, fitted.similarity_)


def test_small_clusters_and_poor_fits_become_unassigned():
    vectors = np.zeros((13, 4))
    vectors[:6, 0] = vectors[6:12, 1] = 1  # two themes of six texts
    vectors[12, 2] = 1  # a lone minority view
    clusterer = ThemeClusterer(3, min_theme_size=2, random_state=0).fit(vectors)
    assert clusterer.labels_[12] == UNASSIGNED
    assert set(clusterer.labels_[:12]) == {0, 1}


def test_members_of_dissolved_cluster_join_the_theme_they_fit():
    vectors = np.zeros((12, 3))
    vectors[:6, 0] = vectors[6:10, 1] = 1
    vectors[10:, 0], vectors[10:, 2] = (
        0.6,
        0.8,
    )  # two texts near theme 0 but in a cluster of their own
    labels = ThemeClusterer(3, min_theme_size=4, random_state=0).fit(vectors).labels_
    assert labels[10] == labels[11] == labels[0]


def test_empty_rows_are_unassigned_and_no_rows_give_no_themes():
    vectors = np.zeros((6, 3))
    vectors[:5, 0] = 1
    clusterer = ThemeClusterer(min_theme_size=2, random_state=0).fit(vectors)
    assert clusterer.labels_.tolist() == [0, 0, 0, 0, 0, UNASSIGNED]
    assert (ThemeClusterer(random_state=0).fit(np.zeros((4, 2))).labels_ == UNASSIGNED).all()


def two_moons() -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved arcs, lifted off the origin so unit length keeps their shape."""
    points, arc = make_moons(200, noise=0.04, random_state=0)
    return np.column_stack([points, np.full(len(points), 3.0)]), arc


def test_spectral_follows_a_chain_of_neighbours_that_kmeans_cuts_across():
    vectors, arc = two_moons()
    kmeans = ThemeClusterer(2, random_state=0).fit(vectors).labels_
    spectral = ThemeClusterer(2, algorithm="spectral", random_state=0).fit(vectors).labels_
    assert adjusted_rand_score(arc, kmeans) < 0.5
    assert adjusted_rand_score(arc, spectral) == 1


def test_spectral_beyond_the_graph_size_places_every_text_by_its_theme():
    rng = np.random.default_rng(0)
    vectors = np.repeat(np.eye(3, 6), 40, axis=0) + rng.normal(0, 0.1, (120, 6))
    vectors = np.vstack([vectors, np.zeros((2, 6))])  # two texts without any content
    clusterer = ThemeClusterer(algorithm="spectral", graph_size=50, random_state=0).fit(vectors)
    assert clusterer.n_clusters_ == 3
    assert clusterer.labels_[120:].tolist() == [UNASSIGNED, UNASSIGNED]
    assert UNASSIGNED not in clusterer.labels_[:120]
    for block in np.split(clusterer.labels_[:120], 3):  # texts outside the graph join their theme
        assert len(set(block)) == 1


def test_spectral_accepts_a_graph_in_pieces():
    """Identical texts form separate components of the graph: a theme each, no warning."""
    vectors = np.repeat(np.eye(3, 5), 12, axis=0)
    labels = ThemeClusterer(3, algorithm="spectral", random_state=0).fit(vectors).labels_
    assert sorted(np.bincount(labels).tolist()) == [12, 12, 12]
    for block in np.split(labels, 3):
        assert len(set(block)) == 1


def test_an_unknown_algorithm_is_refused():
    with pytest.raises(ValueError, match="algorithm must be one of"):
        ThemeClusterer(algorithm="dbscan").fit(np.eye(6))
