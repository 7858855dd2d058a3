"""The bridge from a round's contributions to persisted themes: load, analyse, map, store.

A run must not undo the consultant's work. Its clusters are mapped onto the round's existing
themes by shared members (:func:`analysis.match_themes`), so a theme keeps its id, its name (once
renamed or accepted) and its place in any later link. Contributions the consultant placed by hand
stay where they are; only the run's own placements are replaced. What changed is stored on the
run (``AnalysisRun.changes``) for the workbench to show.

Everything here flushes and never commits; the caller (a view, the CLI, a job runner) commits.
"""

from __future__ import annotations

import platform
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import scipy
import sklearn
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import analysis
from analysis import (
    METHODS,
    Document,
    EmbeddingUnavailable,
    TermVectorizer,
    ThemeAnalysis,
    detect_language,
    match_themes,
)
from analysis.embed import model_name
from analysis.themes import author_frequency, describe_themes
from dialogue.core.audit import record_event
from dialogue.core.clock import utcnow
from dialogue.core.db import Session
from dialogue.core.models import AnalysisRun, Contribution, Round, Theme, ThemeEdit, ThemeMember
from dialogue.core.models.analysis import ACTIVE_STATES, MemberSource, ThemeOrigin, ThemeState
from rounds import get_kind
from rounds.embeddings import vectors_for
from rounds.errors import RoundError
from rounds.identifying import blank_marker, masked_pairs
from rounds.release import shown_to_staff

Progress = Callable[[str, int, int], None]


class AnalysisRefused(RoundError):
    """The round's texts cannot be analysed (none yet, or none with words to group by)."""

    status = 409


def round_documents(round_: Round, part: str = "") -> list[Document]:
    """One part's visible texts as analysis documents, each with its author's pseudonym.

    The pseudonym lets the analysis count distinct authors behind a label word; it never leaves
    the analysis and is never shown.
    """
    kind = get_kind(round_.kind)
    pairs = kind.analysis_texts(round_, part) if kind is not None else []
    if not pairs:
        return []
    pairs = masked_pairs(pairs, round_id=round_.id, marker=blank_marker)
    # While the round is open, only input released to the staff (``rounds.release``).
    authors = dict(
        Session.execute(
            select(Contribution.id, Contribution.author).where(
                Contribution.round_id == round_.id, shown_to_staff(round_, utcnow())
            )
        ).all()
    )
    return [Document(cid, text, author=authors[cid]) for cid, text in pairs if cid in authors]


def list_active_themes(round_: Round, part: str | None = None) -> list[Theme]:
    """The round's suggested and accepted themes with their members, oldest first.

    Of one part (see ``RoundKindBase.theme_parts``) if ``part`` is given, else of every part.
    """
    query = select(Theme).where(Theme.round_id == round_.id, Theme.state.in_(ACTIVE_STATES))
    if part is not None:
        query = query.where(Theme.part == part)
    return list(Session.scalars(query.options(selectinload(Theme.members)).order_by(Theme.id)))


def get_latest_run(round_: Round, part: str | None = None) -> AnalysisRun | None:
    """The most recent analysis run of the round (of one part if ``part`` is given), or None."""
    query = select(AnalysisRun).where(AnalysisRun.round_id == round_.id)
    if part is not None:
        query = query.where(AnalysisRun.part == part)
    return Session.scalar(query.order_by(AnalysisRun.id.desc()).limit(1))


def theme_parts(round_: Round) -> list[tuple[str, Any]]:
    """The parts of the round the workbench themes apart, as (part, label)."""
    kind = get_kind(round_.kind)
    return kind.theme_parts(round_) if kind is not None else []


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
    if part not in dict(theme_parts(round_)):
        raise AnalysisRefused(_l("This round has no such part to analyse."))
    documents = round_documents(round_, part)
    if not documents:
        raise AnalysisRefused(_l("This round has no texts to analyse yet."))
    if method not in METHODS:
        raise AnalysisRefused(_l("Unknown analysis method."))
    embeddings, fallback, windowed = _embeddings(method, documents, embedding_threads, progress)
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
    result = estimator.result_
    run = AnalysisRun(
        round_id=round_.id,
        part=part,
        method=estimator.method_,
        parameters=dict(result.parameters)
        | {"method": method, "fallback": fallback, "n_windowed": windowed},
        seed=seed,
        versions=_versions(embeddings is not None),
        quality=_quality(estimator, len(documents)),
        duplicate_groups=[[str(cid) for cid in group] for group in result.duplicate_groups],
        actor_id=actor_id,
    )
    Session.add(run)
    Session.flush()
    run.changes = _merge_into_themes(round_, run, result.themes)
    _log_run(round_, run, actor_id)
    return run


#: Texts of the rest of a part read beside edited themes, as the contrast that makes a word typical.
CONTRAST = 2000


def redescribe_themes(round_: Round, themes: list[Theme]) -> None:
    """Recompute the typical words, the automatic name and each member's fit of ``themes``.

    After a merge or a move a theme's members changed, so its words and the fits that choose
    its quotes must come from its members now, not from the run that found the old ones. Only
    the edited themes' texts and a sample of the part's other texts are read (the ids are
    random, so the first ``CONTRAST`` by id are a fair sample), so an edit stays quick in a
    round of a million texts. A word must be used by enough distinct authors among the texts
    read, which is stricter than the run's test over the whole part, never looser.
    """
    themes = [theme for theme in themes if theme.members]
    if not themes:
        return
    kind = get_kind(round_.kind)
    condition = kind.analysis_condition(round_, themes[0].part) if kind is not None else None
    if condition is None:
        return
    index = {m.contribution_id: n for n, theme in enumerate(themes) for m in theme.members}
    members = select(ThemeMember.contribution_id).where(
        ThemeMember.theme_id.in_([theme.id for theme in themes])
    )
    columns = select(Contribution.id, Contribution.body, Contribution.author)
    rows = list(Session.execute(columns.where(condition, Contribution.id.in_(members))))
    rows += Session.execute(
        columns.where(condition, Contribution.id.not_in(members))
        .order_by(Contribution.id)
        .limit(CONTRAST)
    )
    pairs = [(row.id, row.body) for row in rows]
    texts = dict(masked_pairs(pairs, round_id=round_.id, marker=blank_marker))
    rows = [row for row in rows if (texts.get(row.id) or "").strip()]
    described = sorted({index[row.id] for row in rows if row.id in index})
    if not described:
        return
    label_of = {n: position for position, n in enumerate(described)}
    found = _describe(
        [texts[row.id] for row in rows],
        np.array([label_of.get(index.get(row.id, -1), -1) for row in rows]),
        [row.id for row in rows],
        [row.author for row in rows],
        round_.dialogue.min_group_size,
    )
    for described_theme, n in zip(found, described, strict=True):
        theme = themes[n]
        theme.top_terms = list(described_theme.top_terms)
        if not theme.has_custom_label and theme.state is ThemeState.SUGGESTED:
            theme.label = described_theme.label
        fit = dict(zip(described_theme.member_ids, described_theme.scores, strict=True))
        for member in theme.members:
            member.score = fit.get(member.contribution_id, member.score)
    Session.flush()


def _describe(texts: list[str], labels, ids: list, authors: list, min_group_size: int):
    """Describe the themes given by ``labels`` (-1: contrast only) with the analysis's rules."""
    vectorizer = TermVectorizer(detect_language(texts))
    vectors = vectorizer.fit_transform(texts)
    similarity = np.zeros(len(texts))
    for label in range(int(labels.max()) + 1):
        rows = np.flatnonzero(labels == label)
        centre = np.asarray(vectors[rows].mean(axis=0)).ravel()
        norm = np.linalg.norm(centre)
        if norm > 0:
            similarity[rows] = vectors[rows] @ (centre / norm)
    return describe_themes(
        vectors,
        labels,
        similarity,
        vectorizer.feature_names_,
        ids,
        public=author_frequency(vectors, authors) >= min_group_size,
    )


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


def _merge_into_themes(round_: Round, run: AnalysisRun, found: tuple) -> list[dict[str, Any]]:
    """Map the run's themes onto the round's themes and replace the run-made placements."""
    themes = list_active_themes(round_, run.part)
    by_id = {theme.id: theme for theme in themes}
    pinned = {
        member.contribution_id
        for theme in themes
        for member in theme.members
        if member.source is MemberSource.MANUAL
    }
    changes = match_themes(
        {theme.id: {member.contribution_id for member in theme.members} for theme in themes},
        [theme.member_ids for theme in found],
    )
    for theme in themes:
        theme.members[:] = [m for m in theme.members if m.source is MemberSource.MANUAL]
    Session.flush()
    records, absorbed_by = [], {}
    for change in changes:
        if change.cluster is None:
            continue
        theme = by_id.get(change.theme_id)
        theme = _place_cluster(round_, run, theme, found[change.cluster], pinned)
        if theme is None:
            continue
        absorbed_by.update(dict.fromkeys(change.previous_ids, theme.id))
        records.append(_change_record(change, theme))
    for change in changes:
        if change.cluster is None:
            records.append(_change_record(change, by_id[change.theme_id]))
    _retire_empty(themes, absorbed_by)
    return records


def _place_cluster(round_, run, theme: Theme | None, found, pinned: set) -> Theme | None:
    """Give a cluster's unpinned members to `theme`, or to a new theme; None if none are left."""
    members = [(cid, score) for cid, score in zip(found.member_ids, found.scores, strict=True)]
    members = [(cid, score) for cid, score in members if cid not in pinned]
    if theme is None:
        if not members:
            return None
        theme = Theme(
            round_id=round_.id,
            part=run.part,
            label=found.label,
            top_terms=list(found.top_terms),
            origin=ThemeOrigin.RUN,
            run_id=run.id,
        )
        Session.add(theme)
    else:
        theme.top_terms = list(found.top_terms)
        if not theme.has_custom_label and theme.state is ThemeState.SUGGESTED:
            theme.label = found.label
    theme.members.extend(
        ThemeMember(contribution_id=cid, source=MemberSource.AUTO, score=float(score))
        for cid, score in members
    )
    Session.flush()
    return theme


def _change_record(change, theme: Theme) -> dict[str, Any]:
    return {
        "theme_id": theme.id,
        "label": theme.label,
        "kind": change.kind,
        "size": len(theme.members),
        "previous_size": change.previous_size,
        "previous_ids": [int(i) for i in change.previous_ids if i != theme.id],
    }


def _retire_empty(themes: list[Theme], absorbed_by: dict[Hashable, int]) -> None:
    """Retire suggested themes the run left empty, pointing to where their members went.

    Accepted themes stay, even empty: the consultant decided to keep them.
    """
    for theme in themes:
        if theme.members or theme.state is not ThemeState.SUGGESTED:
            continue
        theme.state = ThemeState.RETIRED
        target = absorbed_by.get(theme.id)
        theme.merged_into_id = target if target != theme.id else None
    Session.flush()


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
