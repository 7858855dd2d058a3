"""Theme each free-text part of a round apart: a run, its themes and their edits name the part.

analysis_runs.part, themes.part, theme_edits.part: which texts of the round a run themes ("" for
the whole round, as every existing row; "strength"/"weakness" for the culture round, a draft
value's item key for the consultation round). Themes of two parts never mix, and undo and the
history of edits work per part.

Revision ID: c3d8f2a61e47
Revises: b5e2d8c4a190
Create Date: 2026-12-07 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "c3d8f2a61e47"
down_revision = "b5e2d8c4a190"
branch_labels = None
depends_on = None

TABLES = ("analysis_runs", "themes", "theme_edits")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("part", sa.String(length=100), server_default="", nullable=False)
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("part")
