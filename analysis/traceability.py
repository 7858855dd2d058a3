"""Follow contributions to themes and keep theme ids stable across runs.

The product's promise is that every participant can see where their input went and every
theme can be traced back to its contributions. These helpers answer "which theme holds this
contribution?" and renumber a new analysis with the stable ids found by
:func:`analysis.stability.match_themes`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable

from analysis.stability import match_themes
from analysis.types import AnalysisResult, ThemeChange


def document_themes(result: AnalysisResult) -> dict[Hashable, int | None]:
    """Return the theme id of every analysed document, ``None`` for unassigned ones.

    Skipped documents (without text) are not in the mapping: they were never analysed.

    Examples
    --------
    >>> from analysis.types import Theme
    >>> theme = Theme(3, "stress", ("stress",), ("a", "b"), (0.9, 0.8), ("a",))
    >>> result = AnalysisResult((theme,), ("c",), ("d",), (), "da")
    >>> document_themes(result)
    {'a': 3, 'b': 3, 'c': None}
    """
    themes = {doc: theme.id for theme in result.themes for doc in theme.member_ids}
    return themes | dict.fromkeys(result.unassigned)


def follow_previous(
    result: AnalysisResult, previous: AnalysisResult, **options
) -> tuple[AnalysisResult, tuple[ThemeChange, ...]]:
    """Renumber the themes of `result` so they keep the ids of matching `previous` themes.

    Parameters
    ----------
    result, previous : AnalysisResult
        A new analysis and an earlier one of (mostly) the same documents.
    **options
        Passed to :func:`~analysis.stability.match_themes`.

    Returns
    -------
    result : AnalysisResult
        `result` with stable theme ids.
    changes : tuple of ThemeChange
        What happened to each theme, including those that are gone.

    Examples
    --------
    >>> from analysis.types import Theme
    >>> it = Theme(4, "it", ("it",), (1, 2, 3), (1, 1, 1), (1,))
    >>> old = AnalysisResult((it,), (), (), (), "da")
    >>> new = AnalysisResult((Theme(0, "it", ("it",), (1, 2), (1, 1), (1,)),), (3,), (), (), "da")
    >>> stable, changes = follow_previous(new, old)
    >>> stable.themes[0].id, changes[0].kind
    (4, 'shrunk')
    """
    changes = match_themes(
        {theme.id: theme.member_ids for theme in previous.themes},
        [theme.member_ids for theme in result.themes],
        **options,
    )
    stable_id = {
        change.cluster: change.theme_id for change in changes if change.cluster is not None
    }
    themes = tuple(
        dataclasses.replace(theme, id=stable_id[position])
        for position, theme in enumerate(result.themes)
    )
    return dataclasses.replace(result, themes=themes), changes
