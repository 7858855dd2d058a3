"""A theme run: load a part's texts, analyse them, merge the result into the round's themes.

A run must not undo the consultant's work: its clusters are merged into the round's existing
themes (``rounds.theme_run.merging``), and what changed is stored on the run.

Everything here flushes and never commits; the caller (a view, the CLI, a job runner) commits.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy
import sklearn
from flask_babel import lazy_gettext as _l

import analysis
from analysis import (
    METHODS,
    Document,
    EmbeddingUnavailable,
    ThemeAnalysis,
)
from analysis.embed import model_name
from dialogue.core.audit import record_event
from dialogue.core.db import Session
from dialogue.core.models import AnalysisRun, Round, ThemeEdit
from rounds.embeddings import vectors_for
from rounds.errors import RoundError
from rounds.theme_run.merging import merge_into_themes
from rounds.theme_run.reading import round_documents, theme_parts

Progress = Callable[[str, int, int], None]


class AnalysisRefused(RoundError):
    """The round's texts cannot be analysed (none yet, or none with words to group by)."""

    status = 409


def run_analysis(
    round_: Round,
    *,
    part: str = "",
    actor_id: int | None = None,
    n_themes: int | None = None,
    seed: int = 0,
    method: str = "tfidf",
    embedding_threads: int = 1,
    progress: Progress | None = None,
) -> AnalysisRun:
    """Analyse the round's visible texts and merge the result into its themes.

    Parameters
    ----------
    round_ : Round
        The round whose contributions are analysed.
    part : str, default=""
        Which of the round's parts (``theme_parts``) to analyse; its themes are its own.
    actor_id : int, optional
        The staff member who started the run (None from the command line or a job).
    n_themes : int, optional
        Number of themes; None chooses it.
    seed : int, default=0
        Seed of every random step, stored on the run.
    method : {"tfidf", "semantic"}, default="tfidf"
        What groups the texts. ``"semantic"`` clusters the stored embeddings, embedding the
        missing ones first; if it cannot (the extra is missing, the model does not load), the
        run uses TF-IDF and records why in ``parameters["fallback"]``.
    embedding_threads : int, default=1
        Threads of the embedding model for the missing vectors.
    progress : callable(stage, done, total), optional
        Called as the analysis advances.

    Returns
    -------
    AnalysisRun
        The stored run, with ``changes`` saying what became of each theme.

    Raises
    ------
    AnalysisRefused
        If the round has no such part, no texts, or none with any content.
    """
    documents = _documents(round_, part, method)
    embeddings, fallback, windowed = _embeddings(method, documents, embedding_threads, progress)
    estimator = _fitted(round_, documents, n_themes, seed, embeddings, progress)
    run = _stored_run(
        round_,
        part,
        estimator,
        {"method": method, "fallback": fallback, "n_windowed": windowed},
        seed=seed,
        semantic=embeddings is not None,
        n_documents=len(documents),
        actor_id=actor_id,
    )
    run.changes = merge_into_themes(round_, run, estimator.result_.themes)
    _log_run(round_, run, actor_id)
    return run


def _documents(round_: Round, part: str, method: str) -> list[Document]:
    """The part's texts to analyse, or why a run of them is refused."""
    if part not in dict(theme_parts(round_)):
        raise AnalysisRefused(_l("This round has no such part to analyse."))
    documents = round_documents(round_, part)
    if not documents:
        raise AnalysisRefused(_l("This round has no texts to analyse yet."))
    if method not in METHODS:
        raise AnalysisRefused(_l("Unknown analysis method."))
    return documents


def _fitted(
    round_: Round, documents: list[Document], n_themes, seed: int, embeddings, progress
) -> ThemeAnalysis:
    """The analysis fitted to `documents`: on their vectors if given, else on their words."""
    estimator = ThemeAnalysis(
        n_themes,
        min_group_size=round_.dialogue.min_group_size,
        random_state=seed,
        method="tfidf" if embeddings is None else "semantic",
    )
    try:
        estimator.fit(documents, progress=progress, embeddings=embeddings)
    except ValueError as exc:
        raise AnalysisRefused(_l("None of the round's texts has any words to analyse.")) from exc
    return estimator


def _stored_run(
    round_: Round,
    part: str,
    estimator: ThemeAnalysis,
    parameters: dict[str, Any],
    *,
    seed: int,
    semantic: bool,
    n_documents: int,
    actor_id: int | None,
) -> AnalysisRun:
    """The run as stored (flushed, so it has its id) before its themes are merged."""
    result = estimator.result_
    run = AnalysisRun(
        round_id=round_.id,
        part=part,
        method=estimator.method_,
        parameters=dict(result.parameters) | parameters,
        seed=seed,
        versions=_versions(semantic),
        quality=_quality(estimator, n_documents),
        duplicate_groups=[[str(cid) for cid in group] for group in result.duplicate_groups],
        actor_id=actor_id,
    )
    Session.add(run)
    Session.flush()
    return run


def _embeddings(method: str, documents: list[Document], threads: int, progress):
    """The stored vectors of `documents` for a semantic run, or None and why not.

    Empty texts get a zero row: the analysis skips them.
    """
    if method != "semantic":
        return None, None, 0
    present = [doc for doc in documents if isinstance(doc.text, str) and doc.text.strip()]
    if not present:
        return None, None, 0
    try:
        vectors, windowed = vectors_for(
            [doc.id for doc in present],
            [doc.text for doc in present],
            threads=threads,
            progress=progress,
        )
    except EmbeddingUnavailable as exc:
        return None, exc.reason, 0
    rows = {doc.id: row for doc, row in zip(present, vectors, strict=True)}
    zero = np.zeros(vectors.shape[1], dtype=np.float32)
    return np.stack([rows.get(doc.id, zero) for doc in documents]), None, windowed


def _versions(semantic: bool) -> dict[str, str]:
    return ({"embedding_model": model_name()} if semantic else {}) | {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit_learn": sklearn.__version__,
        "analysis": getattr(analysis, "__version__", "1"),
    }


def _quality(estimator: ThemeAnalysis, n_documents: int) -> dict[str, Any]:
    """Counts and fit figures a consultant can judge the run by."""
    result = estimator.result_
    scores = [score for theme in result.themes for score in theme.scores]
    silhouette = estimator.clusterer_.silhouette_scores_.get(estimator.clusterer_.n_clusters_)
    return {
        "n_documents": n_documents,
        "n_themes": len(result.themes),
        "n_unassigned": len(result.unassigned),
        "n_skipped": len(result.skipped),
        "n_duplicate_groups": len(result.duplicate_groups),
        "mean_fit": round(float(np.mean(scores)), 4) if scores else None,
        "silhouette": None if silhouette is None else round(silhouette, 4),
    }


def _log_run(round_: Round, run: AnalysisRun, actor_id: int | None) -> None:
    """Record the run in the workbench history (where it ends what undo reaches) and the audit."""
    n_themes = run.quality["n_themes"]
    Session.add(
        ThemeEdit(
            round_id=round_.id,
            part=run.part,
            actor_id=actor_id,
            action="run",
            after={"run_id": run.id, "n_themes": n_themes},
        )
    )
    record_event(
        actor_id,
        "analysis.run",
        round_.dialogue,
        subject=f"round:{round_.id}",
        run_id=run.id,
        themes=n_themes,
        documents=run.quality["n_documents"],
    )
