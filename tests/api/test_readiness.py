"""``/readyz``: 200 while the bridge can take and apply work, 503 naming what is wrong."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ecombridge.clock import now_ms
from ecombridge.db.analyze import never_analysed
from ecombridge.db.engine import Database
from ecombridge.queue import service as queue


def test_a_fresh_bridge_is_ready(client: TestClient) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"


def test_work_waiting_longer_than_the_threshold_makes_it_unready(
    client: TestClient, db: Database
) -> None:
    limit_s = client.app.state.config.ready_max_queue_age_seconds  # type: ignore[attr-defined]
    with db.write() as conn:
        queue.enqueue(conn, queue.SYNC_BATCH, 1, 1, now=now_ms() - (limit_s + 60) * 1000)
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert "oldest queued work has waited" in answer.json()["checks"]["queue"]


def test_work_queued_for_later_does_not(client: TestClient, db: Database) -> None:
    with db.write() as conn:
        queue.enqueue(conn, queue.SYNC_BATCH, 1, 1, run_after=now_ms() + 3_600_000)
    assert client.get("/readyz").status_code == 200


class _DeadWorkers:
    count = 2

    def alive(self) -> int:
        return 0


def test_no_worker_process_alive_makes_it_unready(client: TestClient) -> None:
    client.app.state.worker_processes = _DeadWorkers()  # type: ignore[attr-defined]
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"]["workers"].startswith("no worker process is alive (0 of 2)")


def test_migrations_leave_every_table_analysed(db: Database) -> None:
    with db.read() as conn:
        assert never_analysed(conn) == []


def test_a_table_never_analysed_is_a_warning_not_a_failure(
    client: TestClient, db: Database
) -> None:
    if db.is_sqlite:
        pytest.skip("PostgreSQL's planner statistics")
    with db.write() as conn:
        conn.execute(sa.text("CREATE TABLE never_analysed_here (id integer)"))
    try:
        answer = client.get("/readyz")
        assert answer.status_code == 200
        [warning] = answer.json()["warnings"]
        assert warning.startswith("tables never analysed")
        assert "never_analysed_here" in warning
    finally:
        with db.write() as conn:
            conn.execute(sa.text("DROP TABLE never_analysed_here"))
