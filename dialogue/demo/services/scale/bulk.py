"""Bulk writing for ``dialogue generate``: ``COPY`` on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from sqlalchemy import Table, insert

from dialogue.core.db import Session

#: Rows per executemany batch on SQLite, and per COPY flush on PostgreSQL.
BATCH = 20_000


def _copy_value(value) -> object:
    """A Python value as COPY's text format wants it (None stays None: NULL)."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "value") and not isinstance(value, str | int):  # an enum member
        return value.value
    return value


def bulk_insert(table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``; return how many.

    PostgreSQL: ``COPY … FROM STDIN`` on the session's own connection and transaction.
    Elsewhere: Core ``insert()`` with executemany in batches of ``BATCH``.
    """
    connection = Session.connection()
    count = 0
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        names = ", ".join(columns)
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_copy_value(value) for value in row])
                count += 1
        return count
    statement = insert(table)
    batch: list[dict] = []
    for row in rows:
        batch.append(dict(zip(columns, row, strict=True)))
        if len(batch) >= BATCH:
            connection.execute(statement, batch)
            count += len(batch)
            batch = []
    if batch:
        connection.execute(statement, batch)
        count += len(batch)
    return count


# --- texts ------------------------------------------------------------------------------------
