"""Add TOTP second factors for staff and half-authenticated login sessions.

people.totp_secret: the base32 secret of a staff member who completed enrolment (identity
table only). people.totp_last_counter: the time step of the last accepted code, so that a code
cannot be replayed. login_sessions.second_factor_pending: a staff login that has passed the
password or link but not the TOTP code.

Revision ID: a1f0c7d2b8e4
Revises: ee868b543672
Create Date: 2026-11-26 12:15:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "a1f0c7d2b8e4"
down_revision = "ee868b543672"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_last_counter", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "second_factor_pending", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_column("second_factor_pending")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("totp_last_counter")
        batch_op.drop_column("totp_secret")
