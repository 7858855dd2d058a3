"""Score the theme pipeline against gold topics, beside a plain scikit-learn baseline.

Two labelled sets of short texts live in ``benchmarks/data`` (see its README): real English
Polis comments, one conversation per topic, and a Danish staff dialogue written by the project.
For each, the pipeline runs *without* being told the number of topics, and the baseline runs
k-means on a raw ``TfidfVectorizer`` with the *true* number of topics. Unassigned texts count
as one more cluster, so leaving texts out is not free. Scores are adjusted Rand index (ARI) and
normalised mutual information (NMI), averaged over several seeds.

Run: ``python benchmarks/theme_quality.py [--seeds 5]``
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.pipeline import ThemeAnalysis  # noqa: E402 - after the path set-up

DATA = Path(__file__).resolve().parent / "data"
DATASETS = {
    "polis (en)": ("polis_comments_sample.csv", "en"),
    "staff (da)": ("danish_staff_dialogue.csv", "da"),
}


def load(filename: str) -> tuple[list[str], list[str]]:
    """Return the texts and gold topics of one labelled CSV file."""
    with open(DATA / filename, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows], [row["topic"] for row in rows]


def pipeline(texts: list[str], language: str, seed: int) -> tuple[np.ndarray, int]:
    """Cluster with the project's pipeline, which chooses the number of themes itself."""
    analysis = ThemeAnalysis(language=language, random_state=seed).fit(texts)
    return analysis.labels_, len(analysis.result_.themes)


def baseline(texts: list[str], n_topics: int, seed: int) -> tuple[np.ndarray, int]:
    """Cluster raw TF-IDF vectors with k-means, told the true number of topics."""
    vectors = TfidfVectorizer().fit_transform(texts)
    return KMeans(n_topics, random_state=seed).fit_predict(vectors), n_topics


def score(gold: list[str], method, seeds: int) -> np.ndarray:
    """Return mean k, ARI, NMI and seconds of `method` over `seeds` seeds."""
    rows = []
    for seed in range(seeds):
        start = time.perf_counter()
        labels, k = method(seed)
        seconds = time.perf_counter() - start
        ari = adjusted_rand_score(gold, labels)
        rows.append((k, ari, normalized_mutual_info_score(gold, labels), seconds))
    return np.mean(rows, axis=0)


def main() -> None:
    """Print one table row per data set and method."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    seeds = parser.parse_args().seeds
    print(f"{'dataset':<11} {'method':<36} {'k':>5} {'ARI':>6} {'NMI':>6} {'seconds':>8}")
    for dataset, (filename, language) in DATASETS.items():
        texts, gold = load(filename)
        n_topics = len(set(gold))
        methods = {
            "pipeline (k chosen automatically)": partial(pipeline, texts, language),
            f"baseline: KMeans on TF-IDF, true k={n_topics}": partial(baseline, texts, n_topics),
        }
        for method, run in methods.items():
            k, ari, nmi, seconds = score(gold, run, seeds)
            print(f"{dataset:<11} {method:<36} {k:>5.1f} {ari:>6.3f} {nmi:>6.3f} {seconds:>8.2f}")


if __name__ == "__main__":
    main()
