"""Themes described again after the consultant edited them: typical words, name and fits.

Flushes and never commits; the caller commits.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

from analysis import TermVectorizer, detect_language
from analysis.themes import author_frequency, describe_themes
from dialogue.core.db import Session
from dialogue.core.models import Contribution, Round, Theme, ThemeMember
from dialogue.core.models.analysis import ThemeState
from rounds import get_kind
from rounds.identifying import blank_marker, masked_pairs

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
