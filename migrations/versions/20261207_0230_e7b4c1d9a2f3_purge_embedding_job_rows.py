"""Delete the embedding jobs' rows: one per saved text, they dated a round's input.

Embeddings are now computed by a worker process that keeps no job rows (``dialogue.embeddings``).
The rows left by the old per-submission jobs said at what times each round received input; they
are deleted, finished or not (an unfinished one would never run: its function is gone). No
schema change, so the downgrade has nothing to restore.

Revision ID: e7b4c1d9a2f3
Revises: a7c4e2d91b3f
Create Date: 2026-12-07 02:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "e7b4c1d9a2f3"
down_revision = "a7c4e2d91b3f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM jobs WHERE kind = 'embed'"))


def downgrade() -> None:
    """The deleted rows held nothing the application needs, and are not made up again."""
