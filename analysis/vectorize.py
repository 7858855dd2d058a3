"""Turn texts into TF-IDF vectors of stems and stem bigrams, with readable feature names.

This is the default, fast vectorising step. It does the job of scikit-learn's
``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)`` with stemming and stop words, but
counts terms with NumPy over whole chunks instead of a Python loop per term, so a million short
texts take seconds. It also remembers, for every stem, the surface word it most often stood
for, so themes can be labelled "arbejdsmiljøet" rather than "arbejdsmiljø".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

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
        counts = _ChunkCounts()
        for token_ids, occurrences in _read(self.table_, texts, self.chunk_size, progress):
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
        for _token_ids, found in _read(self.table_, texts, self.chunk_size, None):
            stems = np.minimum(found.unigram_stems, len(self._stem_columns_) - 1)
            pairs = _look_up(self._pair_keys_, self._pair_columns_, found.pair_keys)
            rows = np.concatenate([found.unigram_rows, found.pair_rows])
            columns = np.concatenate([self._stem_columns_[stems], pairs])
            known = columns >= 0
            blocks.append(_count_matrix(found.n_rows, rows[known], columns[known], len(self.idf_)))
        return _weight(_stack(blocks, len(self.idf_)), self.idf_)

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


class _Occurrences(NamedTuple):
    """Where each kept stem and each pair of adjacent kept stems occurs in one chunk of texts."""

    n_rows: int
    unigram_rows: np.ndarray
    unigram_stems: np.ndarray
    pair_rows: np.ndarray
    #: Both stem ids of a pair in one number: the first in the high 32 bits.
    pair_keys: np.ndarray


def _read(table: TokenTable, texts, chunk_size: int, progress):
    """Yield the token ids and the occurrences of each chunk of `texts`, rows counted per chunk."""
    stem_of_token = np.zeros(0, dtype=np.int64)
    for start in range(0, len(texts), chunk_size):
        chunk = texts[start : start + chunk_size]
        token_ids = table.encode(chunk)
        new_ids = np.asarray(table.stem_ids[len(stem_of_token) :], dtype=np.int64)
        stem_of_token = np.concatenate([stem_of_token, new_ids])
        stems = stem_of_token[token_ids]
        rows = np.cumsum(stems == BOUNDARY).astype(np.int32)
        kept = stems >= 0
        rows, stems = rows[kept], stems[kept]
        adjacent = rows[1:] == rows[:-1]
        pair_keys = (stems[:-1][adjacent] << 32) | stems[1:][adjacent]
        yield (
            token_ids,
            _Occurrences(len(chunk), rows, stems.astype(np.int32), rows[1:][adjacent], pair_keys),
        )
        if progress is not None:
            progress("vectorise", min(start + chunk_size, len(texts)), len(texts))


class _ChunkCounts:
    """The count matrix of a corpus, kept as one block per chunk of texts while it is read.

    Each chunk's occurrences become its counts at once, so a million texts' occurrence arrays
    are never all alive, nor alive beside the matrix built from them. A pair of stems gets an
    id when first met; `pair_keys` keeps every pair met so far sorted, with its id beside it.
    """

    def __init__(self) -> None:
        #: Per chunk: its unigram counts (columns: stem ids) and pair counts (columns: pair ids).
        self.blocks: list[tuple[sp.csr_matrix, sp.csr_matrix]] = []
        self.pair_keys = np.zeros(0, dtype=np.int64)
        self.pair_ids = np.zeros(0, dtype=np.int32)
        self.stem_df = np.zeros(0, dtype=np.int64)
        self.pair_df = np.zeros(0, dtype=np.int64)
        self.surface_counts = np.zeros(0, dtype=np.int64)

    def add(self, token_ids: np.ndarray, n_tokens: int, found: _Occurrences) -> None:
        """Count one chunk's occurrences and surface forms."""
        n_stems = int(found.unigram_stems.max(initial=-1)) + 1
        unigrams = _count_matrix(found.n_rows, found.unigram_rows, found.unigram_stems, n_stems)
        pair_ids = self._pair_ids(found.pair_keys)
        pairs = _count_matrix(found.n_rows, found.pair_rows, pair_ids, len(self.pair_ids))
        self.stem_df = _add_counts(self.stem_df, unigrams.indices)
        self.pair_df = _add_counts(self.pair_df, pairs.indices)
        self.blocks.append((unigrams, pairs))
        surfaces = np.bincount(token_ids, minlength=n_tokens)
        surfaces[: len(self.surface_counts)] += self.surface_counts
        self.surface_counts = surfaces

    def _pair_ids(self, keys: np.ndarray) -> np.ndarray:
        """Return the id of each pair key, giving new ids to pairs not met before."""
        distinct, inverse = np.unique(keys, return_inverse=True)
        position = np.searchsorted(self.pair_keys, distinct)
        known = position < len(self.pair_keys)
        known[known] = self.pair_keys[position[known]] == distinct[known]
        ids = np.empty(len(distinct), dtype=np.int32)
        ids[known] = self.pair_ids[position[known]]
        new = np.flatnonzero(~known)
        ids[new] = np.arange(len(self.pair_ids), len(self.pair_ids) + len(new))
        self.pair_keys = np.insert(self.pair_keys, position[new], distinct[new])
        self.pair_ids = np.insert(self.pair_ids, position[new], ids[new])
        return ids[inverse.ravel()]

    def document_frequency(self, n_stems: int) -> np.ndarray:
        """Texts per term: stems by id, then pairs in the order of their sorted keys."""
        stem_df = np.zeros(n_stems, dtype=np.int64)
        stem_df[: len(self.stem_df)] = self.stem_df
        return np.concatenate([stem_df, self.pair_df[self.pair_ids]])

    def matrix(self, keep: np.ndarray, n_stems: int) -> sp.csr_matrix:
        """Join the blocks into one matrix of the `keep` columns, dropping each block once used.

        `keep` indexes the columns of :meth:`document_frequency`.
        """
        column = np.full(n_stems + len(self.pair_ids), -1, dtype=np.int32)
        column[keep] = np.arange(len(keep), dtype=np.int32)
        stem_column = column[:n_stems]
        pair_column = np.empty(len(self.pair_ids), dtype=np.int32)
        pair_column[self.pair_ids] = column[n_stems:]
        kept = []
        while self.blocks:
            unigrams, pairs = self.blocks.pop(0)
            block = _columns(unigrams, stem_column, len(keep))
            block += _columns(pairs, pair_column, len(keep))  # no column is in both
            block.sort_indices()
            kept.append(block)
        return _stack(kept, len(keep))


def _add_counts(totals: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Return `totals` plus the occurrences of each index, grown to the largest index."""
    counts = np.bincount(indices, minlength=len(totals))
    counts[: len(totals)] += totals
    return counts


def _columns(counts: sp.csr_matrix, column: np.ndarray, width: int) -> sp.csr_matrix:
    """Move the entries of `counts` to their `column`, dropping those whose column is -1."""
    new = column[counts.indices]
    kept = new >= 0
    indptr = np.concatenate([[0], np.cumsum(kept)])[counts.indptr]
    return sp.csr_matrix((counts.data[kept], new[kept], indptr), shape=(counts.shape[0], width))


def _stack(blocks: list[sp.csr_matrix], n_columns: int) -> sp.csr_matrix:
    """Stack the row blocks of one matrix; an empty corpus gives no rows."""
    if not blocks:
        return sp.csr_matrix((0, n_columns), dtype=np.float32)
    return sp.vstack(blocks, format="csr")


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
    weighted.data *= idf.astype(np.float32)[weighted.indices]  # no float64 copy per entry
    return normalize(weighted, copy=False) if weighted.shape[1] else weighted
