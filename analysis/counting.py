"""Count stems and stem bigrams over whole chunks of texts with NumPy, for the vectoriser.

Texts are read a chunk at a time (:func:`read_chunks`) and each chunk's occurrences become its
count block at once (:class:`ChunkCounts`), so a million texts never hold all their occurrence
arrays, nor those beside the matrix built from them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from analysis.text import BOUNDARY, TokenTable


class Occurrences(NamedTuple):
    """Where each kept stem and each pair of adjacent kept stems occurs in one chunk of texts."""

    n_rows: int
    unigram_rows: np.ndarray
    unigram_stems: np.ndarray
    pair_rows: np.ndarray
    #: Both stem ids of a pair in one number: the first in the high 32 bits.
    pair_keys: np.ndarray


def read_chunks(table: TokenTable, texts, chunk_size: int, progress):
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
            Occurrences(len(chunk), rows, stems.astype(np.int32), rows[1:][adjacent], pair_keys),
        )
        if progress is not None:
            progress("vectorise", min(start + chunk_size, len(texts)), len(texts))


class ChunkCounts:
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

    def add(self, token_ids: np.ndarray, n_tokens: int, found: Occurrences) -> None:
        """Count one chunk's occurrences and surface forms."""
        n_stems = int(found.unigram_stems.max(initial=-1)) + 1
        unigrams = count_matrix(found.n_rows, found.unigram_rows, found.unigram_stems, n_stems)
        pair_ids = self._pair_ids(found.pair_keys)
        pairs = count_matrix(found.n_rows, found.pair_rows, pair_ids, len(self.pair_ids))
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
        return stack_blocks(kept, len(keep))


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


def stack_blocks(blocks: list[sp.csr_matrix], n_columns: int) -> sp.csr_matrix:
    """Stack the row blocks of one matrix; an empty corpus gives no rows."""
    if not blocks:
        return sp.csr_matrix((0, n_columns), dtype=np.float32)
    return sp.vstack(blocks, format="csr")


def count_matrix(n_rows, rows, columns, n_columns) -> sp.csr_matrix:
    """Return the counts of the (row, column) occurrences as an `n_rows` x `n_columns` matrix."""
    data = np.ones(len(rows), dtype=np.float32)
    matrix = sp.csr_matrix((data, (rows, columns)), shape=(n_rows, n_columns))
    matrix.sum_duplicates()
    return matrix
