"""Time the theme pipeline at growing sizes, beside a bare scikit-learn pass.

Texts are made from the Polis comments in ``benchmarks/data/polis_comments_sample.csv``: each
synthetic text joins the first part of one comment with the last part of another comment of the
same conversation, cut at a random point between 30 % and 70 % of their words. That keeps the
length (about 16 words), the vocabulary and the topic structure of real contributions while
giving mostly distinct texts even at a million.

Each size runs twice in fresh subprocesses, so the peak resident memory (``ru_maxrss``) of one
run does not hide another's: once the full pipeline (:class:`analysis.ThemeAnalysis`, which
also labels, picks representatives, finds near-duplicates and the unassigned) and once the bare
pass, ``TfidfVectorizer`` + ``MiniBatchKMeans`` with the number of themes the pipeline chose.
Times exclude making the texts; memory includes them, equally for both.

Run: ``python benchmarks/analysis_scaling.py [--sizes 1000,10000,100000,1000000]``
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.cluster import MiniBatchKMeans
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.pipeline import ThemeAnalysis  # noqa: E402 - after the path set-up

SAMPLE = ROOT / "benchmarks" / "data" / "polis_comments_sample.csv"


def make_texts(n: int, seed: int = 0) -> list[str]:
    """Return `n` texts recombined from pairs of comments of one conversation."""
    by_topic = defaultdict(list)
    with open(SAMPLE, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_topic[row["topic"]].append(row["text"].split())
    rng = np.random.default_rng(seed)
    topics = list(by_topic.values())
    texts = []
    for topic, first, second, cut in zip(
        rng.integers(len(topics), size=n),
        rng.random(n),
        rng.random(n),
        rng.uniform(0.3, 0.7, size=n),
        strict=True,
    ):
        comments = topics[topic]
        head, tail = comments[int(first * len(comments))], comments[int(second * len(comments))]
        texts.append(" ".join(head[: round(cut * len(head))] + tail[round(cut * len(tail)) :]))
    return texts


def run_pipeline(texts: list[str]) -> dict:
    """Run the full theme analysis, choosing the number of themes."""
    analysis = ThemeAnalysis(language="en", random_state=0).fit(texts)
    return {"k": analysis.clusterer_.n_clusters_, "themes": len(analysis.result_.themes)}


def run_bare(texts: list[str], k: int) -> dict:
    """Run plain TF-IDF and mini-batch k-means with `k` clusters."""
    vectors = TfidfVectorizer().fit_transform(texts)
    MiniBatchKMeans(k, random_state=0).fit(vectors)
    return {"k": k}


def worker(kind: str, size: int, k: int) -> None:
    """Measure one run in this process and print it as JSON."""
    texts = make_texts(size)
    start = time.perf_counter()
    outcome = run_pipeline(texts) if kind == "pipeline" else run_bare(texts, k)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(outcome | {"seconds": seconds, "peak_mb": peak_mb}))


def measure(kind: str, size: int, k: int = 0) -> dict:
    """Run one measurement in a fresh interpreter and return what it printed."""
    command = [sys.executable, __file__, "--worker", kind, "--size", str(size), "--k", str(k)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Print wall time, peak memory and the ratio to the bare pass per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--worker", choices=["pipeline", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--k", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.size, args.k)
        return
    print(
        f"{'texts':>9} {'k':>3} {'pipeline s':>10} {'bare s':>7} {'ratio':>6} "
        f"{'pipeline MB':>11} {'bare MB':>8}"
    )
    for size in map(int, args.sizes.split(",")):
        ours = measure("pipeline", size)
        bare = measure("bare", size, ours["k"])
        print(
            f"{size:>9} {ours['k']:>3} {ours['seconds']:>10.2f} {bare['seconds']:>7.2f} "
            f"{ours['seconds'] / bare['seconds']:>6.2f} {ours['peak_mb']:>11.0f} "
            f"{bare['peak_mb']:>8.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
