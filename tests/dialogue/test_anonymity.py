"""The anonymity promise at the schema level (TARGETS A1): content carries no identity."""

import sqlalchemy as sa

from dialogue.anonymity import author_pseudonym
from dialogue.db import Base

#: The only tables allowed to hold or point at people. Everything else is content.
IDENTITY_TABLES = {"people", "memberships", "audit_events", "login_sessions"}

#: Every column a content table may have. A new column must be added here on purpose.
CONTENT_COLUMNS = {
    "dialogues": {
        "id",
        "slug",
        "title",
        "description",
        "language",
        "timezone",
        "is_public",
        "min_group_size",
    },
    "rounds": {
        "id",
        "dialogue_id",
        "position",
        "kind",
        "title",
        "prompt",
        "opens_at",
        "closes_at",
        "settings",
        "is_published",
    },
    "contributions": {
        "id",
        "round_id",
        "author",
        "body",
        "data",
        "target",
        "created_on",
        "moderation",
        "submission_key",
    },
}


def test_every_table_is_classified():
    assert set(Base.metadata.tables) == IDENTITY_TABLES | set(CONTENT_COLUMNS)


def test_content_tables_have_only_allowed_columns():
    for name, allowed in CONTENT_COLUMNS.items():
        assert set(Base.metadata.tables[name].columns.keys()) == allowed, name


def test_no_content_table_refers_to_an_identity_table():
    for name in CONTENT_COLUMNS:
        for foreign_key in Base.metadata.tables[name].foreign_keys:
            assert foreign_key.column.table.name not in IDENTITY_TABLES, name


def test_contributions_record_the_day_not_the_time():
    columns = Base.metadata.tables["contributions"].columns
    assert isinstance(columns["created_on"].type, sa.Date)
    assert not any(isinstance(c.type, sa.DateTime) for c in columns)


def test_pseudonyms_differ_per_dialogue_and_need_the_secret():
    secret = "s" * 40
    assert author_pseudonym(secret, 1, 7) == author_pseudonym(secret, 1, 7)
    assert author_pseudonym(secret, 1, 7) != author_pseudonym(secret, 2, 7)
    assert author_pseudonym(secret, 1, 7) != author_pseudonym("t" * 40, 1, 7)
