"""The whole theme analysis in one estimator: texts in, traceable themes out.

Steps: detect the language, vectorise (:mod:`analysis.vectorize`), cluster and pick the
number of themes (:mod:`analysis.clustering`), label the themes with public terms and pick
representative members (:mod:`analysis.themes`), and group near-duplicates
(:mod:`analysis.duplicates`). Texts that are empty are *skipped*; every other text ends up in
exactly one theme or in the unassigned group.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sklearn
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from analysis.clustering import UNASSIGNED, ThemeClusterer
from analysis.duplicates import near_duplicate_groups
from analysis.text import LANGUAGES, detect_language
from analysis.themes import author_frequency, describe_themes
from analysis.types import AnalysisResult, Document
from analysis.vectorize import Progress, TermVectorizer

#: Label of documents without text in :attr:`ThemeAnalysis.labels_`.
SKIPPED = -2


class ThemeAnalysis(BaseEstimator):
    """Find the themes of a collection of contributions.

    Parameters
    ----------
    n_themes : int or None, default=None
        Number of themes to look for; ``None`` chooses it automatically.
    language : {"auto", "da", "en"}, default="auto"
        Language of the texts; ``"auto"`` detects it for the whole corpus.
    min_group_size : int, default=5
        The dialogue's minimum group size: a term must occur in the documents of at least this
        many distinct authors (see :attr:`Document.author`; a document without an author is its
        own) to appear in a label or in the top terms, and a theme needs at least this many
        members (smaller ones are unassigned), so nothing published describes fewer people.
    max_themes : int, default=30
        Largest number of themes tried when choosing automatically.
    n_components : int, default=10
        Dimensions of the latent semantic space the clustering works in.
    min_similarity : float, default=0.05
        Texts less similar to their theme's centre are unassigned.
    duplicate_threshold : float, default=0.9
        Cosine similarity from which two texts count as near-duplicates.
    n_representatives : int, default=5
        Members per theme shown as representative quotes.
    random_state : int, RandomState instance or None, default=None
        Seed of every random step; a fixed seed gives the same themes on the same input.

    Attributes
    ----------
    result_ : AnalysisResult
        Themes, unassigned, skipped and near-duplicate groups, by document id.
    labels_ : ndarray of shape (n_documents,)
        Theme of each document, ``-1`` for unassigned and ``-2`` for skipped.
    language_ : str
        Language the texts were treated as.
    vectorizer_ : TermVectorizer
        The fitted vectoriser.
    clusterer_ : ThemeClusterer
        The fitted clusterer.

    Examples
    --------
    >>> texts = ["travlt og stress"] * 6 + ["IT-systemet går ned"] * 6 + ["tak for kaffe"]
    >>> analysis = ThemeAnalysis(random_state=0).fit(texts)
    >>> [(theme.label, theme.size) for theme in analysis.result_.themes]
    [('it systemet, systemet går', 6), ('travlt stress', 6)]
    >>> analysis.result_.unassigned
    (12,)
    """

    def __init__(
        self,
        n_themes=None,
        *,
        language="auto",
        min_group_size=5,
        max_themes=30,
        n_components=10,
        min_similarity=0.05,
        duplicate_threshold=0.9,
        n_representatives=5,
        random_state=None,
    ):
        self.n_themes = n_themes
        self.language = language
        self.min_group_size = min_group_size
        self.max_themes = max_themes
        self.n_components = n_components
        self.min_similarity = min_similarity
        self.duplicate_threshold = duplicate_threshold
        self.n_representatives = n_representatives
        self.random_state = random_state

    def fit(self, documents, y=None, progress: Progress | None = None):
        """Analyse `documents` (:class:`Document` objects or plain texts); return ``self``.

        Parameters
        ----------
        documents : sequence of Document or of str or None
            The contributions; plain texts get their position as id.
        progress : callable(stage, done, total), optional
            Called as the work advances, for a progress bar.

        Raises
        ------
        ValueError
            If there are no documents, no document has text, or a parameter is invalid.
        """
        documents = _as_documents(documents)
        texts, present = _texts_with_content(documents)
        self.language_ = self._language(texts)
        random_state = check_random_state(self.random_state)
        self.vectorizer_ = TermVectorizer(self.language_)
        vectors = self.vectorizer_.fit_transform(texts, progress=progress)
        self.clusterer_ = self._clusterer(random_state).fit(vectors, progress=progress)
        ids = [documents[index].id for index in present]
        themes = self._themes(vectors, ids, [documents[index].author for index in present])
        _report(progress, "describe")
        groups = near_duplicate_groups(
            vectors, threshold=self.duplicate_threshold, random_state=random_state
        )
        _report(progress, "duplicates")
        self.labels_ = np.full(len(documents), SKIPPED)
        self.labels_[present] = self.clusterer_.labels_
        unassigned = np.flatnonzero(self.clusterer_.labels_ == UNASSIGNED)
        self.result_ = AnalysisResult(
            themes=themes,
            unassigned=tuple(ids[index] for index in unassigned),
            skipped=tuple(documents[i].id for i in np.flatnonzero(self.labels_ == SKIPPED)),
            duplicate_groups=tuple(tuple(ids[index] for index in group) for group in groups),
            language=self.language_,
            parameters=self._parameters(),
        )
        return self

    def _themes(self, vectors, ids: list, authors: list) -> tuple:
        """Label the fitted clusters, showing only terms used by enough distinct authors."""
        return describe_themes(
            vectors,
            self.clusterer_.labels_,
            self.clusterer_.similarity_,
            self.vectorizer_.feature_names_,
            ids,
            public=author_frequency(vectors, authors) >= self.min_group_size,
            n_representatives=self.n_representatives,
        )

    def _language(self, texts: Sequence[str]) -> str:
        if self.language == "auto":
            return detect_language(texts)
        if self.language not in LANGUAGES:
            raise ValueError(
                f"language must be 'auto' or one of {LANGUAGES}, not {self.language!r}"
            )
        return self.language

    def _clusterer(self, random_state) -> ThemeClusterer:
        if self.n_themes is not None and self.n_themes < 1:
            raise ValueError(f"n_themes must be at least 1, not {self.n_themes}")
        return ThemeClusterer(
            self.n_themes,
            max_themes=self.max_themes,
            n_components=self.n_components,
            min_theme_size=self.min_group_size,
            min_similarity=self.min_similarity,
            random_state=int(random_state.randint(np.iinfo(np.int32).max)),
        )

    def _parameters(self) -> dict:
        """Everything needed to re-derive the result: parameters, language and versions."""
        parameters = {
            key: value
            for key, value in self.get_params().items()
            if value is None or isinstance(value, int | float | str)
        }
        return parameters | {
            "detected_language": self.language_,
            "n_clusters": self.clusterer_.n_clusters_,
            "scikit_learn": sklearn.__version__,
        }


def analyse(documents, *, n_themes: int | None = None, **params) -> AnalysisResult:
    """Find the themes of `documents` in one call; the function twin of :class:`ThemeAnalysis`.

    Parameters
    ----------
    documents : sequence of Document or of str or None
        The contributions.
    n_themes : int or None, default=None
        Number of themes; ``None`` chooses it.
    **params
        Further parameters of :class:`ThemeAnalysis`, for example ``random_state``.

    Returns
    -------
    AnalysisResult

    Examples
    --------
    >>> docs = [Document(f"c{i}", text) for i, text in enumerate(
    ...     ["more bike lanes"] * 5 + ["cheaper bus tickets"] * 5 + [None])]
    >>> result = analyse(docs, random_state=0)
    >>> [theme.label for theme in result.themes], result.skipped
    (['cheaper bus, bus tickets', 'bike lanes'], ('c10',))
    """
    return ThemeAnalysis(n_themes, **params).fit(documents).result_


def _as_documents(documents) -> list[Document]:
    documents = list(documents)
    if not documents:
        raise ValueError("there are no texts to analyse: the input is empty")
    if all(isinstance(document, Document) for document in documents):
        return documents
    return [Document(index, text) for index, text in enumerate(documents)]


def _texts_with_content(documents: list[Document]) -> tuple[list[str], np.ndarray]:
    """Return the texts that have content and their positions among `documents`."""
    present = [
        i for i, doc in enumerate(documents) if isinstance(doc.text, str) and doc.text.strip()
    ]
    if not present:
        raise ValueError("none of the texts has any content to analyse")
    return [documents[index].text for index in present], np.array(present)


def _report(progress: Progress | None, stage: str) -> None:
    if progress is not None:
        progress(stage, 1, 1)
