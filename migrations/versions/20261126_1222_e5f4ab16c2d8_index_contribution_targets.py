"""Index the contributions that answer an item, by the item they answer.

"Why this value?" counts the commitments to a value: the answers whose target is the value's
item key. Without an index that is a scan of every contribution of the dialogue (a million and
more in a large one); most contributions have no target, so the index is partial.

Revision ID: e5f4ab16c2d8
Revises: d4e3fa05b1c7
Create Date: 2026-11-26 12:22:00.000000
"""
# Data migrations: use op.execute(sa.text(...)) or a local sa.table(); never import
# dialogue.core.models, which will have changed by the time this revision runs again.

import sqlalchemy as sa
from alembic import op

revision = "e5f4ab16c2d8"
down_revision = "d4e3fa05b1c7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_contributions_target",
        "contributions",
        ["target"],
        unique=False,
        sqlite_where=sa.text("target IS NOT NULL"),
        postgresql_where=sa.text("target IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_contributions_target", table_name="contributions")
