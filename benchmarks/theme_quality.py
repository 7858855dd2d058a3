"""Score both theme methods against gold topics, beside a plain scikit-learn baseline.

Two labelled sets of short texts live in ``benchmarks/data`` (see its README): real English
Polis comments, one conversation per topic, and a Danish staff dialogue written by the project.
For each, the pipeline runs *without* being told the number of topics, once per method:
``tfidf`` (the default) and ``semantic`` (multilingual-e5-small embeddings, the ``semantic``
extra). The baseline runs k-means on a raw ``TfidfVectorizer`` with the *true* number of
topics. Unassigned texts count as one more cluster, so leaving texts out is not free. Scores
are adjusted Rand index (ARI) and normalised mutual information (NMI), averaged over seeds.

The semantic method's texts are embedded once per set, as the product stores them, with one
thread: that time is printed as throughput per core, and the method's seconds are those of a
run over stored embeddings.

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

from analysis.embed import EmbeddingUnavailable, load_embedder  # noqa: E402 - after path set-up
from analysis.pipeline import ThemeAnalysis  # noqa: E402

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


def embed(texts: list[str]) -> tuple[np.ndarray, float] | None:
    """Embed `texts` with one thread; return the vectors and texts per CPU second, or None.

    CPU seconds, not wall seconds: on a shared machine other work would lower the figure.
    """
    try:
        embedder = load_embedder(threads=1)
    except EmbeddingUnavailable as exc:
        print(f"semantic method skipped: {exc}", file=sys.stderr)
        return None
    start = time.process_time()
    vectors, _tokens = embedder.embed(texts)
    return vectors, len(texts) / (time.process_time() - start)


def pipeline(texts, language, method, embeddings, seed) -> tuple[np.ndarray, int]:
    """Cluster with the project's pipeline, which chooses the number of themes itself."""
    analysis = ThemeAnalysis(language=language, random_state=seed, method=method)
    analysis.fit(texts, embeddings=embeddings)
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
    """Print one table row per data set and method, then the ratio of the methods' NMI."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    seeds = parser.parse_args().seeds
    print(f"{'dataset':<11} {'method':<36} {'k':>5} {'ARI':>6} {'NMI':>6} {'seconds':>8}")
    for dataset, (filename, language) in DATASETS.items():
        texts, gold = load(filename)
        n_topics = len(set(gold))
        tfidf = partial(pipeline, texts, language, "tfidf", None)
        methods = {"tfidf (k chosen automatically)": tfidf}
        embedded = embed(texts)
        if embedded is not None:
            vectors, per_second = embedded
            methods["semantic (k chosen, stored vectors)"] = partial(
                pipeline, texts, language, "semantic", vectors
            )
        methods[f"baseline: KMeans on TF-IDF, true k={n_topics}"] = partial(
            baseline, texts, n_topics
        )
        nmi = {}
        for method, run in methods.items():
            k, ari, nmi[method], seconds = score(gold, run, seeds)
            print(
                f"{dataset:<11} {method:<36} {k:>5.1f} {ari:>6.3f} {nmi[method]:>6.3f} "
                f"{seconds:>8.2f}",
                flush=True,
            )
        if embedded is not None:
            tfidf, semantic = list(nmi.values())[:2]
            print(
                f"{dataset:<11} semantic/tfidf NMI {semantic / tfidf:.2f}×; embedding "
                f"{per_second:.1f} texts per CPU second, one thread",
                flush=True,
            )


if __name__ == "__main__":
    main()
