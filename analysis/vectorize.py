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

from analysis.text import BOUNDARY, TokenTable

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
        counts = _TermCounts.read(self.table_, texts, self.chunk_size, progress)
        n_stems = len(self.table_.stems)
        pair_keys, pair_columns = np.unique(counts.pair_keys, return_inverse=True)
        counts.pair_keys = None  # its sorted distinct keys and inverse replace it
        matrix = _count_matrix(
            len(texts),
            np.concatenate([counts.unigram_rows, counts.pair_rows]),
            np.concatenate([counts.unigram_stems, (n_stems + pair_columns).astype(np.int32)]),
            n_stems + len(pair_keys),
        )
        keep = self._keep_columns(matrix, len(texts))
        self._set_vocabulary(keep, n_stems, pair_keys, counts.surface_counts)
        self.document_frequency_ = np.bincount(matrix.indices, minlength=matrix.shape[1])[keep]
        self.idf_ = np.log((1 + len(texts)) / (1 + self.document_frequency_)) + 1
        matrix = matrix[:, keep]  # the unfiltered counts go as soon as they are filtered
        return _weight(matrix, self.idf_)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Return the TF-IDF matrix of `texts` over the fitted vocabulary."""
        check_is_fitted(self)
        counts = _TermCounts.read(self.table_, texts, self.chunk_size, None)
        stems = np.minimum(counts.unigram_stems, len(self._stem_columns_) - 1)
        pairs = _look_up(self._pair_keys_, self._pair_columns_, counts.pair_keys)
        rows = np.concatenate([counts.unigram_rows, counts.pair_rows])
        columns = np.concatenate([self._stem_columns_[stems], pairs])
        known = columns >= 0
        matrix = _count_matrix(len(texts), rows[known], columns[known], len(self.idf_))
        return _weight(matrix, self.idf_)

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

    def _keep_columns(self, matrix: sp.csr_matrix, n_documents: int) -> np.ndarray:
        min_df, max_df = adaptive_document_frequency(n_documents)
        min_df = min_df if self.min_df is None else self.min_df
        max_df = max_df if self.max_df is None else self.max_df
        df = np.bincount(matrix.indices, minlength=matrix.shape[1])
        return np.flatnonzero((df >= min_df) & (df <= max_df * n_documents))

    def _set_vocabulary(self, keep, n_stems, pair_keys, surface_counts) -> None:
        """Name the kept columns, by stem and by most frequent surface form."""
        stems = np.array(self.table_.stems, dtype=object)
        surfaces = _surface_of_stems(self.table_, surface_counts, n_stems)
        kept_stems, kept_pairs = keep[keep < n_stems], keep[keep >= n_stems] - n_stems
        first, second = pair_keys[kept_pairs] >> 32, pair_keys[kept_pairs] & 0xFFFFFFFF
        stem_names = np.concatenate([stems[kept_stems], stems[first] + " " + stems[second]])
        self.feature_names_ = np.concatenate(
            [surfaces[kept_stems], surfaces[first] + " " + surfaces[second]]
        ).astype(str)
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


#: Types of the occurrence arrays: 32 bits for rows and stems (a million texts fit, and half
#: the memory of 64), 64 for a pair of stems.
_OCCURRENCE_TYPES = {
    "unigram_rows": np.int32,
    "unigram_stems": np.int32,
    "pair_rows": np.int32,
    "pair_keys": np.int64,
}


class _TermCounts:
    """Unigram and bigram occurrences of a corpus, read chunk by chunk."""

    def __init__(self) -> None:
        self.parts: dict[str, list[np.ndarray]] = {
            "unigram_rows": [],
            "unigram_stems": [],
            "pair_rows": [],
            "pair_keys": [],
        }
        self.surface_counts = np.zeros(0, dtype=np.int64)

    @classmethod
    def read(cls, table: TokenTable, texts, chunk_size: int, progress) -> _TermCounts:
        counts, stem_of_token = cls(), np.zeros(0, dtype=np.int64)
        for start in range(0, len(texts), chunk_size):
            token_ids = table.encode(texts[start : start + chunk_size])
            new_ids = np.asarray(table.stem_ids[len(stem_of_token) :], dtype=np.int64)
            stem_of_token = np.concatenate([stem_of_token, new_ids])
            counts._add(stem_of_token[token_ids], start)
            counts._add_surfaces(token_ids, len(stem_of_token))
            if progress is not None:
                progress("vectorise", min(start + chunk_size, len(texts)), len(texts))
        # Each list is dropped once joined, so a million texts' occurrences are not held twice.
        for name, dtype in _OCCURRENCE_TYPES.items():
            parts = counts.parts.pop(name)
            setattr(counts, name, np.concatenate(parts) if parts else np.zeros(0, dtype=dtype))
        return counts

    def _add(self, stems: np.ndarray, first_row: int) -> None:
        rows = (first_row + np.cumsum(stems == BOUNDARY)).astype(np.int32)
        kept = stems >= 0
        rows, stems = rows[kept], stems[kept]
        adjacent = rows[1:] == rows[:-1]
        self.parts["unigram_rows"].append(rows)
        self.parts["unigram_stems"].append(stems.astype(np.int32))
        self.parts["pair_rows"].append(rows[1:][adjacent])
        self.parts["pair_keys"].append((stems[:-1][adjacent] << 32) | stems[1:][adjacent])

    def _add_surfaces(self, token_ids: np.ndarray, n_tokens: int) -> None:
        counts = np.bincount(token_ids, minlength=n_tokens)
        counts[: len(self.surface_counts)] += self.surface_counts
        self.surface_counts = counts


def _surface_of_stems(table: TokenTable, surface_counts: np.ndarray, n_stems: int) -> np.ndarray:
    """Return, per stem id, the surface token that produced it most often."""
    stem_ids = np.asarray(table.stem_ids[: len(surface_counts)])
    tokens = np.flatnonzero(stem_ids >= 0)
    order = tokens[np.lexsort((-surface_counts[tokens], stem_ids[tokens]))]
    first = np.unique(stem_ids[order], return_index=True)[1]
    surfaces = np.empty(n_stems, dtype=object)
    surfaces[stem_ids[order[first]]] = np.array(table.tokens, dtype=object)[order[first]]
    return surfaces


def _count_matrix(n_rows, rows, columns, n_columns) -> sp.csr_matrix:
    data = np.ones(len(rows), dtype=np.float32)
    matrix = sp.csr_matrix((data, (rows, columns)), shape=(n_rows, n_columns))
    matrix.sum_duplicates()
    return matrix


def _weight(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Apply sublinear term frequency, idf and unit length to each row."""
    weighted = counts.astype(np.float32, copy=False)  # the counts are not used again
    np.log(weighted.data, out=weighted.data)
    weighted.data += 1
    weighted.data *= idf[weighted.indices].astype(np.float32)
    return normalize(weighted, copy=False) if weighted.shape[1] else weighted
