"""Time the theme pipeline at growing sizes, beside a bare scikit-learn pass.

Texts are made from the Polis comments in ``benchmarks/data/polis_comments_sample.csv``: each
synthetic text joins the first part of one comment with the last part of another comment of the
same conversation, cut at a random point between 30 % and 70 % of their words. That keeps the
length (about 16 words), the vocabulary and the topic structure of real contributions while
giving mostly distinct texts even at a million.

Each size runs in fresh subprocesses, so the peak resident memory (``ru_maxrss``) of one
run does not hide another's: the full pipeline (:class:`analysis.ThemeAnalysis`, which also
labels, picks representatives, finds near-duplicates and the unassigned) and the bare pass,
``TfidfVectorizer`` + ``MiniBatchKMeans(k=50)``, as issue #19 defines it (``--bare-k chosen``:
with the number of themes the pipeline chose instead, a stricter and faster bare pass, since
it is handed the k that the pipeline has to find). Times exclude making the texts; memory
includes them, equally for both.

With the ``semantic`` extra, each size also runs the semantic method over *stored* embeddings,
as the product does once its background jobs have embedded a round. Embedding 100,000 texts
takes hours on one core, so those vectors are synthesised: the source comments are embedded
once (cached in the temporary folder), and each recombined text gets the normalised mean of its
two source comments' vectors plus Gaussian noise (σ = 0.02 per dimension, about the spread
between paraphrases). The run *without* stored embeddings embeds every text first; it is
measured up to ``--fresh-limit`` texts and estimated above that from the measured throughput
per core (marked ``~``).

The table gives wall seconds, CPU seconds and peak memory of both, and each ratio of the
pipeline to the bare pass; with ``--repeats N`` the two take turns N times and the fastest run
of each is shown, as other work on a shared machine only ever adds time.

Run: ``python benchmarks/analysis_scaling.py [--sizes 1000,10000,100000,1000000] [--repeats 3]
[--no-semantic] [--bare-k 50|chosen]``
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.cluster import MiniBatchKMeans
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.embed import (  # noqa: E402 - after the path set-up
    load_embedder,
    model_name,
    semantic_installed,
)
from analysis.pipeline import ThemeAnalysis  # noqa: E402

SAMPLE = ROOT / "benchmarks" / "data" / "polis_comments_sample.csv"
#: Spread added to each synthesised vector, per dimension.
NOISE = 0.02


def make_texts(n: int, seed: int = 0) -> list[str]:
    """Return `n` texts recombined from pairs of comments of one conversation."""
    return make_texts_with_sources(n, seed)[0]


def make_texts_with_sources(n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Return `n` recombined texts and, per text, the rows of its two source comments."""
    by_topic = defaultdict(list)
    with open(SAMPLE, newline="", encoding="utf-8") as handle:
        for row, record in enumerate(csv.DictReader(handle)):
            by_topic[record["topic"]].append((row, record["text"].split()))
    rng = np.random.default_rng(seed)
    topics = list(by_topic.values())
    texts, sources = [], []
    for topic, first, second, cut in zip(
        rng.integers(len(topics), size=n),
        rng.random(n),
        rng.random(n),
        rng.uniform(0.3, 0.7, size=n),
        strict=True,
    ):
        comments = topics[topic]
        (head_row, head), (tail_row, tail) = (
            comments[int(first * len(comments))],
            comments[int(second * len(comments))],
        )
        texts.append(" ".join(head[: round(cut * len(head))] + tail[round(cut * len(tail)) :]))
        sources.append((head_row, tail_row))
    return texts, np.array(sources).reshape(-1, 2)


def source_embeddings() -> np.ndarray:
    """The embeddings of the sample's comments, computed once and cached in the temp folder."""
    data = SAMPLE.read_bytes()
    key = hashlib.sha256(data + model_name().encode()).hexdigest()[:16]
    cache = Path(tempfile.gettempdir()) / f"dialogue-polis-embeddings-{key}.npy"
    if cache.exists():
        return np.load(cache)
    with open(SAMPLE, newline="", encoding="utf-8") as handle:
        comments = [row["text"] for row in csv.DictReader(handle)]
    vectors, _tokens = load_embedder(threads=1).embed(comments)
    np.save(cache, vectors)
    return vectors


def stored_vectors(sources: np.ndarray, seed: int = 0) -> np.ndarray:
    """Synthesise a stored vector per text from its two source comments' vectors, plus noise."""
    comments = source_embeddings()
    vectors = comments[sources[:, 0]] + comments[sources[:, 1]]
    vectors += np.random.default_rng(seed).normal(0, NOISE, vectors.shape).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def run_pipeline(texts: list[str]) -> dict:
    """Run the full theme analysis, choosing the number of themes."""
    analysis = ThemeAnalysis(language="en", random_state=0).fit(texts)
    return {"k": analysis.clusterer_.n_clusters_, "themes": len(analysis.result_.themes)}


def run_semantic(texts: list[str], vectors: np.ndarray | None) -> dict:
    """Run the semantic analysis over stored `vectors`, or embedding every text first."""
    analysis = ThemeAnalysis(language="en", random_state=0, method="semantic")
    analysis.fit(texts, embeddings=vectors)
    return {"k": analysis.clusterer_.n_clusters_, "themes": len(analysis.result_.themes)}


def run_bare(texts: list[str], k: int) -> dict:
    """Run plain TF-IDF and mini-batch k-means with `k` clusters."""
    vectors = TfidfVectorizer().fit_transform(texts)
    MiniBatchKMeans(k, random_state=0).fit(vectors)
    return {"k": k}


def worker(kind: str, size: int, k: int) -> None:
    """Measure one run in this process and print it as JSON."""
    texts, sources = make_texts_with_sources(size)
    if kind == "semantic-stored":
        vectors = stored_vectors(sources)
    elif kind == "semantic-fresh":
        load_embedder(threads=1)  # loading the model once per process is not per-run work
    start, cpu_start = time.perf_counter(), time.process_time()
    if kind == "pipeline":
        outcome = run_pipeline(texts)
    elif kind == "semantic-stored":
        outcome = run_semantic(texts, vectors)
    elif kind == "semantic-fresh":
        outcome = run_semantic(texts, None)
    else:
        outcome = run_bare(texts, k)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(outcome | {"seconds": seconds, "cpu_s": cpu_seconds, "peak_mb": peak_mb}))


def measure(kind: str, size: int, k: int = 0) -> dict:
    """Run one measurement in a fresh interpreter and return what it printed."""
    command = [sys.executable, __file__, "--worker", kind, "--size", str(size), "--k", str(k)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def side_by_side(size: int, repeats: int, bare_k: int | None) -> tuple[dict, dict]:
    """Time the pipeline and the bare pass in turns, `repeats` times each; keep each's fastest.

    The bare pass clusters into `bare_k` groups, or as many as the pipeline chose when None.
    On a shared machine other work only ever adds time, so the fastest of a few runs is the
    fairest figure, and taking turns lets both see the same load.
    """
    runs: dict[str, list[dict]] = {"pipeline": [], "bare": []}
    for _ in range(repeats):
        runs["pipeline"].append(measure("pipeline", size))
        runs["bare"].append(measure("bare", size, bare_k or runs["pipeline"][0]["k"]))
    best = {}
    for kind, measured in runs.items():
        best[kind] = measured[0] | {
            key: min(run[key] for run in measured) for key in ("seconds", "cpu_s", "peak_mb")
        }
    return best["pipeline"], best["bare"]


def semantic_columns(size: int, fresh_limit: int, per_second: list[float]) -> str:
    """Seconds of the semantic run with stored embeddings and without (measured or estimated).

    Without stored embeddings the run also embeds every text, on one core; `per_second`
    keeps the throughput measured at the largest fresh run so far, for the estimates. It is
    counted in CPU seconds, so that other work on a shared machine does not lower it.
    """
    stored = measure("semantic-stored", size)
    if size <= fresh_limit:
        fresh = measure("semantic-fresh", size)
        per_second[:] = [size / max(fresh["cpu_s"] - stored["cpu_s"], 1e-9)]
        fresh_text = f"{fresh['seconds']:.1f}"
    elif per_second:
        fresh_text = f"~{stored['seconds'] + size / per_second[0]:.0f}"
    else:
        fresh_text = "-"
    return (
        f"{stored['k']:>4} {stored['seconds']:>9.2f} {stored['cpu_s']:>7.2f} {fresh_text:>10} "
        f"{stored['peak_mb']:>8.0f}"
    )


def main() -> None:
    """Print wall time, peak memory and the ratio to the bare pass per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument(
        "--fresh-limit",
        type=int,
        default=1000,
        help="Largest size at which the semantic run embeds its texts (slow: one core).",
    )
    parser.add_argument(
        "--repeats", type=int, default=1, help="Runs of each, in turns; the fastest is shown."
    )
    parser.add_argument(
        "--no-semantic",
        action="store_true",
        help="Time only the TF-IDF pipeline and the bare pass.",
    )
    parser.add_argument(
        "--worker",
        choices=["pipeline", "bare", "semantic-stored", "semantic-fresh"],
        help=argparse.SUPPRESS,
    )
    parser.add_argument(
        "--bare-k",
        default="50",
        help="Groups of the bare pass: a number (issue #19's is 50) or 'chosen', the pipeline's.",
    )
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--k", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.size, args.k)
        return
    semantic = semantic_installed() and not args.no_semantic
    bare_k = None if args.bare_k == "chosen" else int(args.bare_k)
    print(f"bare pass: TfidfVectorizer + MiniBatchKMeans(k={bare_k or 'as the pipeline chose'})")
    header = (
        f"{'texts':>9} {'k':>3} {'pipeline s':>10} {'bare s':>7} {'ratio':>6} "
        f"{'pipe cpu':>8} {'bare cpu':>8} {'ratio':>6} {'pipeline MB':>11} {'bare MB':>8} "
        f"{'ratio':>6}"
    )
    if semantic:
        header += f" | {'sem k':>4} {'stored s':>9} {'cpu s':>7} {'no store s':>10} {'sem MB':>8}"
    elif not args.no_semantic:
        print("semantic runs skipped: the semantic extra is not installed", file=sys.stderr)
    print(header)
    per_second: list[float] = []
    for size in map(int, args.sizes.split(",")):
        ours, bare = side_by_side(size, args.repeats, bare_k)
        line = (
            f"{size:>9} {ours['k']:>3} {ours['seconds']:>10.2f} {bare['seconds']:>7.2f} "
            f"{ours['seconds'] / bare['seconds']:>6.2f} {ours['cpu_s']:>8.2f} "
            f"{bare['cpu_s']:>8.2f} {ours['cpu_s'] / bare['cpu_s']:>6.2f} "
            f"{ours['peak_mb']:>11.0f} {bare['peak_mb']:>8.0f} "
            f"{ours['peak_mb'] / bare['peak_mb']:>6.2f}"
        )
        if semantic:
            line += " | " + semantic_columns(size, args.fresh_limit, per_second)
        print(line, flush=True)
    if per_second:
        print(f"embedding throughput: {per_second[0]:.1f} texts per CPU second", flush=True)


if __name__ == "__main__":
    main()
