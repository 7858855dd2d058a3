"""Move login sessions out of the database; store participant input without a write order.

TARGETS A11: a copy of the database must not pair people with their texts by the order of
writes. Login sessions (rows naming a person, written at each login) now live in the session
store outside the database, so ``login_sessions`` goes; existing sessions end (everybody logs
in again). On SQLite the tables participants write (contributions, member checks, embeddings,
identifying spans) become WITHOUT ROWID, stored in the order of their random keys instead of
an implicit rowid that counts up in write order. PostgreSQL has no rowid; ``dialogue backup``
reorders these tables by key before dumping them. Identifying spans get random 62-bit ids (BIGINT on
PostgreSQL) instead of a counter; existing ones keep theirs.

Revision ID: a11d0e5c7b21
Revises: a7c3e5d9f1b2
Create Date: 2026-12-07 02:15:00.000000
"""
# Data migrations: use op.execute(sa.text(...)) or a local sa.table(); never import
# dialogue.core.models, which will have changed by the time this revision runs again.

import sqlalchemy as sa
from alembic import op

revision = "a11d0e5c7b21"
down_revision = "a7c3e5d9f1b2"
branch_labels = None
depends_on = None

#: Tables whose rows participants write, keyed by random ids.
CONTENT_TABLES = (
    "contributions",
    "member_checks",
    "contribution_embeddings",
    "identifying_spans",
)
SUFFIX = " WITHOUT ROWID"


def _rebuild(table: str, without_rowid: bool) -> None:
    """SQLite's own recipe for changing a table: a new one from the same SQL, copy, swap.

    The migration environment has switched foreign keys off, so dropping the old table deletes
    no rows that refer to it; the indexes are made again from their stored SQL.
    """
    bind = op.get_bind()
    sql = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": table},
    ).scalar_one()
    indexes = (
        bind.execute(
            sa.text(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :name "
                "AND sql IS NOT NULL"
            ),
            {"name": table},
        )
        .scalars()
        .all()
    )
    sql = sql.rstrip()
    if sql.upper().endswith(SUFFIX):
        sql = sql[: -len(SUFFIX)]
    if without_rowid:
        sql += SUFFIX
    temporary = f"{table}_rebuilt"
    body = sql.partition("(")[2]
    op.execute(f'CREATE TABLE "{temporary}" ({body}')
    op.execute(f'INSERT INTO "{temporary}" SELECT * FROM "{table}"')
    op.execute(f'DROP TABLE "{table}"')
    op.execute(f'ALTER TABLE "{temporary}" RENAME TO "{table}"')
    for index in indexes:
        op.execute(index)


def upgrade() -> None:
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_person_id"))
    op.drop_table("login_sessions")
    if op.get_bind().dialect.name == "sqlite":
        for table in CONTENT_TABLES:
            _rebuild(table, without_rowid=True)
    else:
        op.alter_column("identifying_spans", "id", type_=sa.BigInteger(), existing_nullable=False)
        # The column's sequence stays 32-bit otherwise: a restore's setval past a random id fails.
        op.execute("ALTER SEQUENCE IF EXISTS identifying_spans_id_seq AS bigint")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in CONTENT_TABLES:
            _rebuild(table, without_rowid=False)
    else:
        # Random ids do not fit the old integer column: number the spans again, in id order.
        op.execute(
            "UPDATE identifying_spans SET id = renumbered.place FROM ("
            "SELECT id, row_number() OVER (ORDER BY id) AS place FROM identifying_spans"
            ") AS renumbered WHERE identifying_spans.id = renumbered.id"
        )
        op.execute(
            "SELECT setval(pg_get_serial_sequence('identifying_spans', 'id'), "
            "COALESCE((SELECT MAX(id) FROM identifying_spans), 0) + 1, false)"
        )
        op.alter_column("identifying_spans", "id", type_=sa.Integer(), existing_nullable=False)
        op.execute("ALTER SEQUENCE IF EXISTS identifying_spans_id_seq AS integer")
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("is_staff", sa.Boolean(), nullable=False),
        sa.Column("second_factor_pending", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_login_sessions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_sessions_person_id"), ["person_id"], unique=False
        )
