"""Turn texts into TF-IDF vectors of stems and stem bigrams, with readable feature names.

This is the default, fast vectorising step. It does the job of scikit-learn's
``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)`` with stemming and stop words, but
counts terms with NumPy over whole chunks instead of a Python loop per term, so a million short
texts take seconds. It also remembers, for every stem, the surface word it most often stood
for, so themes can be labelled "arbejdsmiljøet" rather than "arbejdsmiljø".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from analysis.counting import ChunkCounts, count_matrix, read_chunks, stack_blocks
from analysis.text import TokenTable

Progress = Callable[[str, int, int], None]


def adaptive_document_frequency(n_documents: int) -> tuple[int, float]:
    """Return ``(min_df, max_df)`` suited to a corpus of `n_documents` texts.

    A term seen in one text cannot link two texts, so it is dropped; large corpora drop terms
    rarer than one in ten thousand texts, which keeps memory bounded at a million texts.
    Terms in more than half of the texts say nothing about any theme, but a corpus under a
    hundred texts keeps them: there they may be the only words two texts share.

    Examples
    --------
    >>> adaptive_document_frequency(40), adaptive_document_frequency(1_000_000)
    ((2, 1.0), (100, 0.5))
    """
    return max(2, n_documents // 10_000), (1.0 if n_documents < 100 else 0.5)


class TermVectorizer(TransformerMixin, BaseEstimator):
    """Sublinear TF-IDF of word stems and stem bigrams, with stop words removed.

    Parameters
    ----------
    language : {"da", "en"}, default="da"
        Chooses the stemmer and stop words.
    min_df, max_df : int and float, default=None
        Keep terms in at least `min_df` texts and at most a share `max_df` of them; ``None``
        adapts both to the corpus size (see :func:`adaptive_document_frequency`).
    chunk_size : int, default=20000
        Texts tokenised per pass; bounds the memory the token strings take.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Column of each term, by its stem form (``"borg"``, ``"borg tid"``).
    feature_names_ : ndarray of str
        Readable surface form of each column (``"borgerne"``, ``"borgerne tid"``).
    document_frequency_ : ndarray of int
        Number of fitted texts that contain each term.
    idf_ : ndarray of float
        Inverse document frequency weight of each column.

    Examples
    --------
    >>> texts = ["Borgerne venter længe", "borgerne venter på svar", "IT virker ikke"]
    >>> vectorizer = TermVectorizer("da", min_df=2)
    >>> vectorizer.fit_transform(texts).shape
    (3, 3)
    >>> vectorizer.feature_names_.tolist()
    ['borgerne', 'venter', 'borgerne venter']
    """

    def __init__(self, language="da", *, min_df=None, max_df=None, chunk_size=20_000):
        self.language = language
        self.min_df = min_df
        self.max_df = max_df
        self.chunk_size = chunk_size

    def fit(self, texts: Sequence[str], y=None, progress: Progress | None = None):
        """Learn the vocabulary and weights of `texts`; return ``self``."""
        self.fit_transform(texts, progress=progress)
        return self

    def fit_transform(self, texts: Sequence[str], y=None, progress: Progress | None = None):
        """Learn the vocabulary of `texts` and return their TF-IDF matrix (CSR, float32).

        A corpus in which no term passes the document-frequency limits gives a matrix with no
        columns rather than an error, so callers can report every text as unassigned.
        """
        self.table_ = TokenTable(self.language)
        counts = ChunkCounts()
        for token_ids, occurrences in read_chunks(self.table_, texts, self.chunk_size, progress):
            counts.add(token_ids, len(self.table_.tokens), occurrences)
        n_stems = len(self.table_.stems)
        document_frequency = counts.document_frequency(n_stems)
        keep = self._keep_columns(document_frequency, len(texts))
        self._set_vocabulary(keep, n_stems, counts.pair_keys, counts.surface_counts)
        self.document_frequency_ = document_frequency[keep]
        self.idf_ = np.log((1 + len(texts)) / (1 + self.document_frequency_)) + 1
        return _weight(counts.matrix(keep, n_stems), self.idf_)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Return the TF-IDF matrix of `texts` over the fitted vocabulary."""
        check_is_fitted(self)
        blocks = []
        for _token_ids, found in read_chunks(self.table_, texts, self.chunk_size, None):
            stems = np.minimum(found.unigram_stems, len(self._stem_columns_) - 1)
            pairs = _look_up(self._pair_keys_, self._pair_columns_, found.pair_keys)
            rows = np.concatenate([found.unigram_rows, found.pair_rows])
            columns = np.concatenate([self._stem_columns_[stems], pairs])
            known = columns >= 0
            blocks.append(count_matrix(found.n_rows, rows[known], columns[known], len(self.idf_)))
        return _weight(stack_blocks(blocks, len(self.idf_)), self.idf_)

    def unigram_columns(self, stem_ids) -> np.ndarray:
        """Return the column of each stem id (see :class:`TokenTable`), or -1 for none.

        Examples
        --------
        >>> vectorizer = TermVectorizer("da", min_df=2).fit(["mere tid", "mere tid", "ro"])
        >>> stem = vectorizer.table_.stem_ids[vectorizer.table_["tid"]]
        >>> vectorizer.feature_names_[vectorizer.unigram_columns([stem])].tolist()
        ['tid']
        """
        check_is_fitted(self)
        stem_ids = np.asarray(stem_ids, dtype=np.int64)
        columns = self._stem_columns_[np.clip(stem_ids, 0, len(self._stem_columns_) - 1)]
        return np.where(stem_ids >= 0, columns, -1)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Return the readable surface form of each column."""
        check_is_fitted(self)
        return self.feature_names_

    def _keep_columns(self, document_frequency: np.ndarray, n_documents: int) -> np.ndarray:
        min_df, max_df = adaptive_document_frequency(n_documents)
        min_df = min_df if self.min_df is None else self.min_df
        max_df = max_df if self.max_df is None else self.max_df
        df = document_frequency
        return np.flatnonzero((df >= min_df) & (df <= max_df * n_documents))

    def _set_vocabulary(self, keep, n_stems, pair_keys, surface_counts) -> None:
        """Name the kept columns, by stem and by most frequent surface form."""
        stems = np.array(self.table_.stems, dtype=object)
        surfaces = _surface_of_stems(self.table_, surface_counts, n_stems)
        kept_stems, kept_pairs = keep[keep < n_stems], keep[keep >= n_stems] - n_stems
        first, second = pair_keys[kept_pairs] >> 32, pair_keys[kept_pairs] & 0xFFFFFFFF
        stem_names = np.concatenate([stems[kept_stems], stems[first] + " " + stems[second]])
        # Kept as Python strings: a fixed-width string array is as wide as the longest name,
        # and one run-on "word" of 300 letters in the Polis texts made it 12 MB at 10,000 texts.
        self.feature_names_ = np.concatenate(
            [surfaces[kept_stems], surfaces[first] + " " + surfaces[second]]
        )
        self.vocabulary_ = dict(zip(stem_names.tolist(), range(len(keep)), strict=True))
        # One extra stem column (-1) catches stems first met by transform.
        self._stem_columns_ = np.full(n_stems + 1, -1)
        self._stem_columns_[kept_stems] = np.arange(len(kept_stems))
        self._pair_keys_ = pair_keys[kept_pairs]
        self._pair_columns_ = np.arange(len(kept_stems), len(keep))


def _look_up(sorted_keys: np.ndarray, columns: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Return the column of each query key, or -1 where the key is not in `sorted_keys`."""
    if len(sorted_keys) == 0:
        return np.full(len(queries), -1)
    found = np.minimum(np.searchsorted(sorted_keys, queries), len(sorted_keys) - 1)
    return np.where(sorted_keys[found] == queries, columns[found], -1)


def _surface_of_stems(table: TokenTable, surface_counts: np.ndarray, n_stems: int) -> np.ndarray:
    """Return, per stem id, the surface token that produced it most often."""
    stem_ids = np.asarray(table.stem_ids[: len(surface_counts)])
    tokens = np.flatnonzero(stem_ids >= 0)
    order = tokens[np.lexsort((-surface_counts[tokens], stem_ids[tokens]))]
    first = np.unique(stem_ids[order], return_index=True)[1]
    surfaces = np.empty(n_stems, dtype=object)
    surfaces[stem_ids[order[first]]] = np.array(table.tokens, dtype=object)[order[first]]
    return surfaces


def _weight(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Apply sublinear term frequency, idf and unit length to each row."""
    weighted = counts.astype(np.float32, copy=False)  # the counts are not used again
    np.log(weighted.data, out=weighted.data)
    weighted.data += 1
    weighted.data *= idf.astype(np.float32)[weighted.indices]  # no float64 copy per entry
    return normalize(weighted, copy=False) if weighted.shape[1] else weighted
