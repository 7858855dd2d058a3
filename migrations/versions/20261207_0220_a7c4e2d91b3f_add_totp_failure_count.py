"""Count wrong second-factor codes, so that guessing them locks the account's code step.

people.totp_failures: wrong TOTP codes in a row since the last right one (0 for everybody
existing). At five the code step refuses every code until an administrator unlocks or resets it.

Revision ID: a7c4e2d91b3f
Revises: a11d0e5c7b21
Create Date: 2026-12-07 02:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "a7c4e2d91b3f"
down_revision = "a11d0e5c7b21"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("totp_failures", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("totp_failures")
