"""The data model's own limit on SQLite: the final rows the apply left, written again raw.

After a run, the rows of the tables the apply writes (CRM objects, links, associations, and
whatever errors and pending associations it left) are read back and inserted into an empty
database with the same schema (the same indexes, page size and durability settings), in as
many transactions as the run had batches, as plain ``executemany`` inserts from Python. That
rate, in messages per second, is the most any apply could reach writing this schema on this
machine; the bridge's applied rate is reported as a ratio of it, measured in the same run.

It also counts the b-tree entries those rows hold per applied message, and per object by
type: one per row in the table's own b-tree, one per index that holds the row (a partial index
only when the row matches it). For rows inserted once, as most are, that is the number of
b-tree inserts.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ecombridge.db.engine import SQLITE_PAGE_SIZE
from ecombridge.db.tables import (
    associations,
    crm_objects,
    metadata,
    pending_associations,
    sync_errors,
    sync_objects,
)

TABLES = (crm_objects, sync_objects, associations, sync_errors, pending_associations)
# The column that tells a row's message type, where a table has one.
TYPE_COLUMNS = {"crm_objects": "object_type", "sync_objects": "object_type"}
TYPE_COLUMNS |= {"associations": "from_type", "sync_errors": "object_type"}
BATCH = 200


def btree_entries(conn: sqlite3.Connection) -> dict[str, Counter[str]]:
    """Entries by table and by type (``*`` where the table has no type column)."""
    entries: dict[str, Counter[str]] = {}
    for table in TABLES:
        name = table.name
        # The table's own b-tree: keyed by rowid, or by the primary key for a WITHOUT ROWID
        # table (which then has no separate index for its key in sqlite_master).
        counts: Counter[str] = Counter(_grouped(conn, name, None))
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (name,)
        ).fetchall()
        for _index, sql in indexes:
            where = None
            if sql and " WHERE " in sql.upper():
                where = sql[sql.upper().rindex(" WHERE ") + 7 :]
            for object_type, rows in _grouped(conn, name, where).items():
                counts[object_type] += rows
        entries[name] = counts
    return entries


def _grouped(conn: sqlite3.Connection, table: str, where: str | None) -> dict[str, int]:
    column = TYPE_COLUMNS.get(table)
    condition = f" WHERE {where}" if where else ""
    if column is None:
        (count,) = conn.execute(f"SELECT count(*) FROM {table}{condition}").fetchone()
        return {"*": int(count)} if count else {}
    query = f"SELECT {column}, count(*) FROM {table}{condition} GROUP BY {column}"
    return {str(t): int(n) for t, n in conn.execute(query)}


def measure(database_file: Path, directory: Path, messages: int) -> dict[str, Any]:
    """The raw write rate of the run's final rows (messages/s) and the b-tree entries per
    applied message, from the run's database file (read only)."""
    source = sqlite3.connect(f"file:{database_file}?mode=ro", uri=True)
    try:
        entries = btree_entries(source)
        objects = _grouped(source, "sync_objects", None)
        rows = {t.name: source.execute(f"SELECT * FROM {t.name}").fetchall() for t in TABLES}
    finally:
        source.close()
    path = directory / "schema-baseline.db"
    path.unlink(missing_ok=True)
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
        metadata.create_all(conn, tables=list(TABLES))
    engine.dispose()
    target = sqlite3.connect(path, isolation_level=None)
    target.execute("PRAGMA journal_mode=WAL")
    target.execute("PRAGMA synchronous=FULL")
    batches = max(1, -(-messages // BATCH))
    statements = {
        name: f"INSERT INTO {name} VALUES ({', '.join('?' * len(found[0]))})"
        for name, found in rows.items()
        if found
    }
    started = time.perf_counter()
    for i in range(batches):
        target.execute("BEGIN IMMEDIATE")
        for name, statement in statements.items():
            found = rows[name]
            share = -(-len(found) // batches)
            target.executemany(statement, found[i * share : (i + 1) * share])
        target.execute("COMMIT")
    elapsed = time.perf_counter() - started
    target.close()
    by_type: Counter[str] = Counter()
    for counts in entries.values():
        by_type.update(counts)
    total = sum(by_type.values())
    return {
        "schema_baseline_messages_per_s": messages / elapsed,
        "btree_entries_per_message": total / max(1, messages),
        "btree_entries_by_table": {t: sum(c.values()) for t, c in entries.items()},
        # By type, per synced object of that type (a link each): associations count with the
        # type they are stored from (a line item's two, a deal's one).
        "btree_entries_per_object_by_type": {
            t: round(n / objects[t], 2) for t, n in sorted(by_type.items()) if objects.get(t)
        },
    }
