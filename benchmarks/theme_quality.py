"""Score both theme methods against gold topics, beside a plain scikit-learn baseline.

Two labelled sets of short texts live in ``benchmarks/data`` (see its README): real English
Polis comments, one conversation per topic, and a Danish staff dialogue written by the project.
For each, the pipeline runs *without* being told the number of topics, once per method:
``tfidf`` (the default) and ``semantic`` (multilingual-e5-small embeddings, the ``semantic``
extra). The baseline runs k-means on a raw ``TfidfVectorizer`` with the *true* number of
topics. Unassigned texts count as one more cluster, so leaving texts out is not free. Scores
are adjusted Rand index (ARI) and normalised mutual information (NMI).

One run per sample, as one split of a set says little: each of ``--samples`` samples is a
random four fifths of the set's texts (seeded by its number, which also seeds the methods).
Each figure is printed as mean ± standard deviation over the samples, and the semantic/TF-IDF
NMI ratio is given per sample as mean, least and most. When the full Polis open data is present
(``../shared/data/polis`` beside the project, or ``--polis-dir``), a third set draws up to 150
comments per conversation afresh for every sample from all comments not rejected by
moderation (CC BY 4.0: "Polis open data, The Computational Democracy Project").

The semantic method's texts are embedded once per set, as the product stores them, with one
thread: that time is printed as throughput per core, and the method's seconds are those of a
run over stored embeddings.

Run: ``python benchmarks/theme_quality.py [--samples 5] [--polis-dir DIR]``
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


#: The shared Polis open data, beside the project (the layout CI uses).
POLIS_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "polis"
#: Share of a set's texts in one sample, and most comments per conversation of the full data.
SAMPLE_SHARE = 0.8
PER_CONVERSATION = 150


def load(filename: str) -> tuple[list[str], list[str]]:
    """Return the texts and gold topics of one labelled CSV file."""
    with open(DATA / filename, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows], [row["topic"] for row in rows]


def load_polis(folder: Path) -> tuple[list[str], list[str]]:
    """Return every comment not rejected by moderation of the Polis open data, by conversation."""
    texts, topics = [], []
    for comments in sorted(folder.glob("*/comments.csv")):
        with open(comments, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["moderated"] != "-1" and row["comment-body"].strip():
                    texts.append(row["comment-body"])
                    topics.append(comments.parent.name)
    return texts, topics


def share_sample(gold: list[str], seed: int) -> np.ndarray:
    """A random `SAMPLE_SHARE` of the rows, sorted."""
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(len(gold), round(SAMPLE_SHARE * len(gold)), replace=False))


def conversation_sample(gold: list[str], seed: int) -> np.ndarray:
    """Up to `PER_CONVERSATION` random rows of each conversation, sorted."""
    rng, topics = np.random.default_rng(seed), np.array(gold)
    rows = [
        rng.permutation(np.flatnonzero(topics == topic))[:PER_CONVERSATION]
        for topic in np.unique(topics)
    ]
    return np.sort(np.concatenate(rows))


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


def run_methods(texts, gold, language, vectors, seed) -> dict[str, tuple]:
    """Return k, ARI, NMI and seconds of each method on one sample."""
    n_topics = len(set(gold))
    methods = {"tfidf (k chosen automatically)": partial(pipeline, texts, language, "tfidf", None)}
    if vectors is not None:
        methods["semantic (k chosen, stored vectors)"] = partial(
            pipeline, texts, language, "semantic", vectors
        )
    methods["baseline: KMeans on TF-IDF, true k"] = partial(baseline, texts, n_topics)
    scores = {}
    for method, run in methods.items():
        start = time.perf_counter()
        labels, k = run(seed)
        seconds = time.perf_counter() - start
        ari = adjusted_rand_score(gold, labels)
        scores[method] = (k, ari, normalized_mutual_info_score(gold, labels), seconds)
    return scores


def spread(values) -> str:
    """Mean ± standard deviation, three decimals."""
    return f"{np.mean(values):.3f} ± {np.std(values):.3f}"


def main() -> None:
    """Print one row per data set and method (mean ± spread over samples), then NMI ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--polis-dir", type=Path, default=POLIS_DIR)
    args = parser.parse_args()
    sets = {
        name: (*load(filename), language, share_sample)
        for name, (filename, language) in DATASETS.items()
    }
    if (args.polis_dir / "README.md").exists():
        sets["polis full (en), 150 per conversation"] = (
            *load_polis(args.polis_dir),
            "en",
            conversation_sample,
        )
    print(f"{'dataset':<38} {'method':<36} {'k':>11} {'ARI':>13} {'NMI':>13} {'seconds':>7}")
    for dataset, (texts, gold, language, draw) in sets.items():
        embedded = embed(texts)
        vectors, per_second = embedded if embedded is not None else (None, 0.0)
        runs = []
        for seed in range(args.samples):
            rows = draw(gold, seed)
            runs.append(
                run_methods(
                    [texts[row] for row in rows],
                    [gold[row] for row in rows],
                    language,
                    None if vectors is None else vectors[rows],
                    seed,
                )
            )
        for method in runs[0]:
            k, ari, nmi, seconds = np.array([run[method] for run in runs]).T
            print(
                f"{dataset:<38} {method:<36} {k.mean():>4.1f} ± {k.std():>4.1f} {spread(ari)} "
                f"{spread(nmi)} {seconds.mean():>7.2f}",
                flush=True,
            )
        if vectors is not None:
            tfidf, semantic = (np.array([run[m][2] for run in runs]) for m in list(runs[0])[:2])
            ratio = semantic / tfidf
            print(
                f"{dataset:<38} semantic/tfidf NMI {ratio.mean():.2f}× (samples "
                f"{ratio.min():.2f}× to {ratio.max():.2f}×); embedding {per_second:.1f} texts per "
                "CPU second, one thread",
                flush=True,
            )


if __name__ == "__main__":
    main()
