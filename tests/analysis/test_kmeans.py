import numpy as np
import pytest
from sklearn.metrics import pairwise_distances, silhouette_score

from analysis.kmeans import search_k, silhouette


def test_silhouette_matches_scikit_learn_including_single_member_clusters():
    points = np.random.default_rng(0).normal(size=(60, 4))
    distances = pairwise_distances(points)
    for labels in (np.arange(60) % 3, np.r_[np.zeros(57, int), 1, 2, 2], np.arange(60) % 7):
        expected = silhouette_score(distances, labels, metric="precomputed")
        assert silhouette(distances, labels, labels.max() + 1) == pytest.approx(expected)


@pytest.mark.parametrize("peak", [2, 3, 7, 17, 29, 30])
def test_the_search_for_k_finds_a_single_peak_without_trying_every_k(peak):
    scored = {}
    search_k(lambda k: scored.setdefault(k, -abs(k - peak)), 2, 30)
    assert max(scored, key=scored.get) == peak
    assert len(scored) <= 19


def test_the_search_for_k_finds_a_sharp_small_peak_before_a_higher_plateau():
    """A clear three-theme structure scores above the noise that many small clusters fit."""
    curve = {k: 0.3 + 0.01 * k for k in range(2, 31)} | {3: 0.8}
    scored = {}
    search_k(lambda k: scored.setdefault(k, curve[k]), 2, 30)
    assert max(scored, key=scored.get) == 3
