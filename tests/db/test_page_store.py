"""The file of import pages beside a SQLite database: its pages are counted without reading
their payloads."""

from __future__ import annotations

import pytest

from ecombridge.db.engine import Database


def test_received_pages_are_counted_from_an_index_alone(db: Database) -> None:
    if not db.has_own_page_store:
        pytest.skip("PostgreSQL: pages are in the database's import_pages table")
    query = (
        "EXPLAIN QUERY PLAN SELECT object_type, count(*), sum(item_count), max(received_at) "
        "FROM import_pages WHERE import_id = 1 GROUP BY object_type"
    )
    with db.page_store.read() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(query))
    assert "COVERING INDEX ix_import_pages_counts" in plan
