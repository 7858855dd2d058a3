"""Theme analysis of free-text contributions: pure Python and scikit-learn, no web or database.

Texts go in as :class:`Document` objects (or plain strings); frozen dataclasses come out that
keep the document ids, so every theme traces back to its contributions.
"""

import importlib

#: Where each public name lives. Submodules load on first use, so that importing the app (which
#: needs only the statistics of ``analysis.consensus`` and ``analysis.rankings``) does not load
#: scikit-learn in every worker.
_LOCATIONS = {
    "AnalysisResult": "analysis.types",
    "CHANGE_KINDS": "analysis.types",
    "Document": "analysis.types",
    "SKIPPED": "analysis.pipeline",
    "TermVectorizer": "analysis.vectorize",
    "Theme": "analysis.types",
    "ThemeAnalysis": "analysis.pipeline",
    "ThemeChange": "analysis.types",
    "ThemeClusterer": "analysis.clustering",
    "ThemeMember": "analysis.types",
    "UNASSIGNED": "analysis.clustering",
    "analyse": "analysis.pipeline",
    "default_method": "analysis.methods",
    "EmbeddingUnavailable": "analysis.embed",
    "METHODS": "analysis.methods",
    "load_embedder": "analysis.embed",
    "semantic_installed": "analysis.embed",
    "text_hash": "analysis.embed",
    "cluster_documents": "analysis.clustering",
    "detect_language": "analysis.text",
    "document_themes": "analysis.traceability",
    "follow_previous": "analysis.traceability",
    "match_themes": "analysis.stability",
    "near_duplicate_groups": "analysis.duplicates",
    "normalise": "analysis.text",
    "themes_report": "analysis.report",
}


def __getattr__(name: str):
    """Import the submodule holding ``name`` when it is first asked for (PEP 562)."""
    if name not in _LOCATIONS:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    return getattr(importlib.import_module(_LOCATIONS[name]), name)


__all__ = [
    "CHANGE_KINDS",
    "METHODS",
    "SKIPPED",
    "UNASSIGNED",
    "AnalysisResult",
    "Document",
    "EmbeddingUnavailable",
    "TermVectorizer",
    "Theme",
    "ThemeAnalysis",
    "ThemeChange",
    "ThemeClusterer",
    "ThemeMember",
    "analyse",
    "default_method",
    "cluster_documents",
    "detect_language",
    "document_themes",
    "follow_previous",
    "load_embedder",
    "match_themes",
    "near_duplicate_groups",
    "normalise",
    "semantic_installed",
    "text_hash",
    "themes_report",
]
