"""Id allocation: unique ascending ids; on PostgreSQL, CRM object ids never wait for another
open transaction (workers applying batches in parallel do not queue behind each other)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ecombridge.db.engine import Database
from ecombridge.db.sequences import STARTS, allocate_ids


def test_ids_are_unique_and_ascending(db: Database) -> None:
    with db.write() as conn:
        first = allocate_ids(conn, "crm_object", 5)
        second = allocate_ids(conn, "crm_object", 3)
        portal = allocate_ids(conn, "portal")
        assert first == sorted(first) and second == sorted(second)
    assert len(set(first + second)) == 8
    assert min(first) >= STARTS["crm_object"]
    assert max(first) < min(second)
    assert portal[0] >= STARTS["portal"]
    assert allocate_ids(conn, "crm_object", 0) == []


def test_crm_object_ids_do_not_wait_for_open_transactions(db: Database) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time by design")
    with db.engine.connect() as holder, holder.begin():
        held = allocate_ids(holder, "crm_object", 10)
        with db.engine.connect() as other, other.begin():
            other.execute(sa.text("SET LOCAL lock_timeout = '1s'"))
            taken = allocate_ids(other, "crm_object", 10)
    assert not set(held) & set(taken)
