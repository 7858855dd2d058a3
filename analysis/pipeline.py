"""The whole theme analysis in one estimator: texts in, traceable themes out.

Steps: detect the language, vectorise (:mod:`analysis.vectorize`), cluster and pick the
number of themes (:mod:`analysis.clustering`), label the themes with public terms and pick
representative members (:mod:`analysis.themes`), and group near-duplicates
(:mod:`analysis.duplicates`).

The vectors that are clustered come from one of two methods: ``"tfidf"`` (the default, word
stems) or ``"semantic"`` (sentence embeddings, :mod:`analysis.embed`). Labels, the distinct-author
rule and near-duplicates always use the TF-IDF terms, so a theme is named by readable words that
enough people wrote whatever grouped it.

Texts that are empty are *skipped*; every other text ends up in exactly one theme or in the
unassigned group.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import sklearn
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from analysis.clustering import UNASSIGNED, ThemeClusterer
from analysis.duplicates import near_duplicate_groups
from analysis.embed import WINDOW, EmbeddingUnavailable, load_embedder, semantic_space
from analysis.inputs import columns, stored_embeddings, texts_with_content
from analysis.methods import METHODS, clusterer_settings
from analysis.text import LANGUAGES, detect_language, text_languages
from analysis.themes import author_frequency, describe_themes
from analysis.types import AnalysisResult
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
    method : {"tfidf", "semantic"}, default="tfidf"
        What the clustering groups by: TF-IDF of word stems, or multilingual sentence
        embeddings (given to :meth:`fit`, or computed with the ``semantic`` extra). When no
        embeddings are given and the model cannot be loaded, the analysis uses ``"tfidf"`` and
        says why in :attr:`fallback_`.
    embedding_threads : int, default=1
        Threads of the embedding model when it has to embed the texts itself.

    Attributes
    ----------
    result_ : AnalysisResult
        Themes, unassigned, skipped and near-duplicate groups, by document id.
    labels_ : ndarray of shape (n_documents,)
        Theme of each document, ``-1`` for unassigned and ``-2`` for skipped.
    language_ : str
        Language the texts were treated as.
    vectorizer_ : TermVectorizer
        The fitted vectoriser (its terms label the themes whatever the method).
    method_ : str
        The method actually used.
    fallback_ : str or None
        Why ``"semantic"`` was asked for and ``"tfidf"`` used (``"missing"``: the extra is not
        installed; ``"failed"``: the model did not load); None otherwise.
    n_windowed_ : int
        Texts longer than the model's window, embedded in windows and averaged (semantic only).
    clusterer_ : ThemeClusterer
        The fitted clusterer.

    Examples
    --------
    >>> texts = ["travlt og stress"] * 6 + ["IT-systemet går ned"] * 6 + ["tak for kaffe"]
    >>> analysis = ThemeAnalysis(random_state=0).fit(texts)
    >>> [(theme.label, theme.size) for theme in analysis.result_.themes]
    [('IT-systemet', 6), ('travlt og stress', 6)]
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
        method="tfidf",
        embedding_threads=1,
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
        self.method = method
        self.embedding_threads = embedding_threads

    def fit(self, documents, y=None, progress: Progress | None = None, embeddings=None):
        """Analyse `documents` (:class:`Document` objects or plain texts); return ``self``.

        Parameters
        ----------
        documents : sequence of Document or of str or None
            The contributions; plain texts get their position as id.
        progress : callable(stage, done, total), optional
            Called as the work advances, for a progress bar.
        embeddings : array of shape (n_documents, n_dimensions), optional
            Stored sentence embeddings of `documents`, row for row (rows of empty documents
            are ignored); only for ``method="semantic"``. Without them the texts are embedded.

        Raises
        ------
        ValueError
            If there are no documents, no document has text, or a parameter is invalid.
        """
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, not {self.method!r}")
        all_ids, all_texts, all_authors = columns(documents)
        texts, present = texts_with_content(all_texts)
        self.language_ = self._language(texts)
        random_state = check_random_state(self.random_state)
        self.vectorizer_ = TermVectorizer(self.language_)
        vectors = self.vectorizer_.fit_transform(texts, progress=progress)
        grouped_by = self._semantic_vectors(texts, present, len(all_ids), embeddings, progress)
        if grouped_by is None:
            grouped_by = vectors
        self.clusterer_ = self._clusterer(random_state)
        groups = self._cluster(grouped_by, vectors, random_state, progress)
        ids = [all_ids[index] for index in present.tolist()]
        _report(progress, "duplicates")
        authors = [all_authors[index] for index in present.tolist()]
        themes = self._themes(vectors, texts, ids, authors, groups)
        _report(progress, "describe")
        self.labels_ = np.full(len(all_ids), SKIPPED)
        self.labels_[present] = self.clusterer_.labels_
        unassigned = np.flatnonzero(self.clusterer_.labels_ == UNASSIGNED)
        self.result_ = AnalysisResult(
            themes=themes,
            unassigned=tuple(ids[index] for index in unassigned),
            skipped=tuple(all_ids[i] for i in np.flatnonzero(self.labels_ == SKIPPED)),
            duplicate_groups=tuple(tuple(ids[index] for index in group) for group in groups),
            language=self.language_,
            parameters=self._parameters(),
        )
        return self

    def _cluster(self, grouped_by, vectors, random_state, progress) -> list:
        """Fit the clusterer to `grouped_by`; return the near-duplicate groups of `vectors`.

        Near-duplicates need only the vectors, and their NumPy and SciPy steps release the GIL,
        so they run on the second core meanwhile. The clusterer's seed is drawn before, so each
        random number is the one drawn in turn. The inputs are checked already, so scikit-learn
        does not check them again in each of some twenty k-means runs (8 ms at 10,000 texts).
        """
        with ThreadPoolExecutor(1) as pool:
            duplicates = pool.submit(
                near_duplicate_groups,
                vectors,
                threshold=self.duplicate_threshold,
                random_state=random_state,
            )
            with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
                self.clusterer_.fit(grouped_by, progress=progress)
            return duplicates.result()

    def _semantic_vectors(self, texts, present, n_documents, embeddings, progress):
        """Return the centred embeddings to cluster, or None when TF-IDF groups the texts."""
        self.method_, self.fallback_, self.n_windowed_ = self.method, None, 0
        if self.method != "semantic":
            if embeddings is not None:
                raise ValueError("embeddings are only used by method='semantic'")
            return None
        if embeddings is None:
            try:
                embedder = load_embedder(self.embedding_threads)
            except EmbeddingUnavailable as exc:
                self.method_, self.fallback_ = "tfidf", exc.reason
                return None
            embedded, tokens = embedder.embed(texts, progress=progress)
            self.n_windowed_ = int((tokens > WINDOW).sum())
        else:
            embedded = stored_embeddings(embeddings, present, n_documents)
        if not np.isfinite(embedded).all():
            raise ValueError("embeddings must be finite numbers")
        return semantic_space(embedded, text_languages(texts))

    def _themes(self, vectors, texts: list, ids: list, authors: list, groups: list) -> tuple:
        """Name the fitted clusters, showing only words used by enough distinct authors."""
        return describe_themes(
            vectors,
            self.clusterer_.labels_,
            self.clusterer_.similarity_,
            self.vectorizer_.feature_names_,
            ids,
            public=author_frequency(vectors, authors) >= self.min_group_size,
            n_representatives=self.n_representatives,
            texts=texts,
            vectorizer=self.vectorizer_,
            authors=authors,
            min_authors=self.min_group_size,
            duplicate_groups=groups,
            duplicate_threshold=self.duplicate_threshold,
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
            **clusterer_settings(self.method_, self.n_components),
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
            "method_used": self.method_,
            "fallback": self.fallback_,
            "n_windowed": self.n_windowed_,
            "detected_language": self.language_,
            "n_clusters": self.clusterer_.n_clusters_,
            "scikit_learn": sklearn.__version__,
        }


def analyse(documents, *, n_themes: int | None = None, embeddings=None, **params) -> AnalysisResult:
    """Find the themes of `documents` in one call; the function twin of :class:`ThemeAnalysis`.

    Parameters
    ----------
    documents : sequence of Document or of str or None
        The contributions.
    n_themes : int or None, default=None
        Number of themes; ``None`` chooses it.
    embeddings : array of shape (n_documents, n_dimensions), optional
        Stored sentence embeddings, for ``method="semantic"``.
    **params
        Further parameters of :class:`ThemeAnalysis`, for example ``random_state``.

    Returns
    -------
    AnalysisResult

    Examples
    --------
    >>> from analysis.types import Document
    >>> docs = [Document(f"c{i}", text) for i, text in enumerate(
    ...     ["more bike lanes"] * 5 + ["cheaper bus tickets"] * 5 + [None])]
    >>> result = analyse(docs, random_state=0)
    >>> [theme.label for theme in result.themes], result.skipped
    (['cheaper bus tickets', 'bike lanes'], ('c10',))
    """
    return ThemeAnalysis(n_themes, **params).fit(documents, embeddings=embeddings).result_


def _report(progress: Progress | None, stage: str) -> None:
    if progress is not None:
        progress(stage, 1, 1)
