"""Theme analysis of free-text contributions: pure Python and scikit-learn, no web or database.

Texts go in as :class:`Document` objects (or plain strings); frozen dataclasses come out that
keep the document ids, so every theme traces back to its contributions.
"""

from analysis.clustering import UNASSIGNED, ThemeClusterer, cluster_documents
from analysis.duplicates import near_duplicate_groups
from analysis.pipeline import SKIPPED, ThemeAnalysis, analyse
from analysis.report import themes_report
from analysis.stability import match_themes
from analysis.text import detect_language, normalise
from analysis.traceability import document_themes, follow_previous
from analysis.types import CHANGE_KINDS, AnalysisResult, Document, Theme, ThemeChange, ThemeMember
from analysis.vectorize import TermVectorizer

__all__ = [
    "CHANGE_KINDS",
    "SKIPPED",
    "UNASSIGNED",
    "AnalysisResult",
    "Document",
    "TermVectorizer",
    "Theme",
    "ThemeAnalysis",
    "ThemeChange",
    "ThemeClusterer",
    "ThemeMember",
    "analyse",
    "cluster_documents",
    "detect_language",
    "document_themes",
    "follow_previous",
    "match_themes",
    "near_duplicate_groups",
    "normalise",
    "themes_report",
]
