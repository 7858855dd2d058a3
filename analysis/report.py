"""The JSON report of ``dialogue themes``: row numbers in, themes by row number out.

The format is documented in ``docs/themes-json.md``; keep the two in step.
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.pipeline import ThemeAnalysis
from analysis.types import AnalysisResult, Document
from analysis.vectorize import Progress


def themes_report(
    texts: Sequence[object],
    *,
    language: str = "auto",
    n_themes: int | None = None,
    seed: int = 0,
    min_group_size: int = 5,
    method: str = "tfidf",
    progress: Progress | None = None,
) -> dict:
    """Analyse the cells of one text column and return the JSON-ready theme report.

    Parameters
    ----------
    texts : sequence
        One cell per row, in file order. ``None`` and blank cells are skipped; other
        non-text values (numbers from a spreadsheet) are read as their text.
    language : {"auto", "da", "en"}, default="auto"
        Language of the texts.
    n_themes : int or None, default=None
        Number of themes; ``None`` chooses it.
    seed : int, default=0
        Seed of every random step.
    min_group_size : int, default=5
        Smallest theme, and smallest number of rows a label word must occur in.
    method : {"tfidf", "semantic"}, default="tfidf"
        What groups the texts; ``parameters["method_used"]`` and ``parameters["fallback"]``
        say whether the semantic method ran or fell back to TF-IDF.
    progress : callable(stage, done, total), optional
        Called as the work advances.

    Returns
    -------
    dict
        ``{"parameters", "themes", "unassigned", "skipped"}`` with 0-based row indices; every
        non-empty row is in exactly one theme's ``members`` or in ``unassigned``.

    Raises
    ------
    ValueError
        If `texts` is empty, no row has text, or a parameter is invalid.

    Examples
    --------
    >>> report = themes_report(["bike lanes"] * 5 + ["", "bus tickets"], min_group_size=2)
    >>> report["themes"][0]["members"], report["unassigned"], report["skipped"]
    ([0, 1, 2, 3, 4], [6], [5])
    """
    documents = [
        Document(row, None if text is None else str(text)) for row, text in enumerate(texts)
    ]
    analysis = ThemeAnalysis(
        n_themes,
        language=language,
        min_group_size=min_group_size,
        random_state=seed,
        method=method,
    ).fit(documents, progress=progress)
    return _as_json(analysis.result_, len(documents))


def _as_json(result: AnalysisResult, n_rows: int) -> dict:
    """The report of `result` on `n_rows` rows, documents numbered by their row."""
    return {
        "parameters": dict(result.parameters) | {"n_rows": n_rows},
        "themes": [
            {
                "id": theme.id,
                "label": theme.label,
                "top_terms": list(theme.top_terms),
                "size": theme.size,
                "members": sorted(theme.member_ids),
                "representatives": list(theme.representative_ids),
            }
            for theme in result.themes
        ],
        "unassigned": sorted(result.unassigned),
        "skipped": list(result.skipped),
    }
