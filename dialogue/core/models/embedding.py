"""A contribution's sentence embedding, for the semantic theme analysis.

Content, keyed by the contribution's random id, and nothing else about it: no author, and no
time, since when a vector was computed would tell when its text was written or edited. The text
hash says whether the vector still belongs to the text; the model name whether it came from the
model in use; either differing means the vector is computed again.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from dialogue.core.db import Base


class ContributionEmbedding(Base):
    """The embedding of one contribution's text, as little-endian float32 bytes."""

    __tablename__ = "contribution_embeddings"
    #: SQLite stores the rows in key order, not write order (TARGETS A11).
    __table_args__ = {"sqlite_with_rowid": False}

    contribution_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True
    )
    #: Model and version that computed the vector.
    model: Mapped[str] = mapped_column(String(64))
    #: SHA-256 of the text the vector was computed from.
    text_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    #: Tokens of the text; above the model's window it was embedded in windows and averaged.
    tokens: Mapped[int]
