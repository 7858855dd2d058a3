"""Let a dialogue accept anyone with its link, optionally only those a rule admits.

dialogues.open_join: off for every existing dialogue, which keeps its imported list only.
dialogues.open_rule: e-mail domains and claim=value terms; empty admits anyone.

Revision ID: a88871586779
Revises: 9e4b7c2d5a18
Create Date: 2026-12-07 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "a88871586779"
down_revision = "9e4b7c2d5a18"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("open_join", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("open_rule", sa.String(length=500), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("dialogues", schema=None) as batch_op:
        batch_op.drop_column("open_rule")
        batch_op.drop_column("open_join")
