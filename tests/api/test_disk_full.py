"""A full disk is a 503 with Retry-After, never a 500, and /readyz says so."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ecombridge.db import storage
from ecombridge.db.engine import Database

V2 = "/extensions/ecomm/v2/sync/messages"


def _cap_growth(engine: sa.Engine) -> None:
    """Every new connection may not grow the file past its current size: SQLITE_FULL."""

    @sa.event.listens_for(engine, "connect")
    def _cap(dbapi_conn: Any, _record: Any) -> None:
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    engine.dispose()


@pytest.fixture
def forget_full_disk() -> Any:
    yield
    storage._last_seen = None


def test_a_full_disk_is_503_with_retry_after_and_readyz_reports_it(
    client: TestClient, db: Database, hapikey: Callable[[str], str], forget_full_disk: None
) -> None:
    if not db.is_sqlite:
        pytest.skip("SQLite's page limit stands in for a full disk")
    assert client.get("/readyz").status_code == 200
    _cap_growth(db.engine)
    if db.inbox is not None:
        _cap_growth(db.inbox.database.engine)
    big = {"n": "x" * 4000}
    messages = [
        {"action": "UPSERT", "externalObjectId": f"c{i}", "changedAt": 1, "properties": big}
        for i in range(200)
    ]
    body = {"storeId": "default", "objectType": "CONTACT", "messages": messages}

    answer = client.put(hapikey(V2), json=body)

    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "60"
    assert answer.json()["category"] == "SERVICE_UNAVAILABLE"
    assert "disk of its database is full" in answer.json()["message"]
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert "the disk of the database is full" in ready.json()["checks"]["storage"]


def test_the_errors_of_both_databases_are_recognised() -> None:
    import psycopg.errors
    from sqlalchemy.exc import OperationalError

    full = sqlite3.OperationalError("database or disk is full")
    assert storage.is_disk_full(OperationalError("INSERT", {}, full))
    pg = psycopg.errors.DiskFull("could not extend file: No space left on device")
    assert pg.sqlstate == "53100"
    assert storage.is_disk_full(OperationalError("INSERT", {}, pg))
    assert not storage.is_disk_full(OperationalError("INSERT", {}, sqlite3.OperationalError("x")))
