"""GET /metrics: Prometheus text with the sync counters, the apply histogram and queue gauges
computed from the jobs table at scrape time."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from ecombridge.api.app import create_app
from ecombridge.clock import now_ms
from ecombridge.config import Config
from ecombridge.db import tables as t
from ecombridge.db.engine import Database
from ecombridge.observability import metrics


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _enqueue(db: Database, kind: str, status: str, age_s: int, due_in_s: int | None = None) -> None:
    created = now_ms() - age_s * 1000
    run_after = created if due_in_s is None else now_ms() + due_in_s * 1000
    with db.write() as conn:
        conn.execute(
            sa.insert(t.jobs).values(
                portal_id=1,
                kind=kind,
                ref_id=1,
                status=status,
                run_after=run_after,
                created_at=created,
            )
        )


def test_metrics_expose_counters_and_histogram(client: TestClient) -> None:
    before = _samples(client.get("/metrics").text)
    metrics.record_accepted("DEAL", 3)
    metrics.record_applied("DEAL", "success", 2)
    metrics.record_applied("DEAL", "error", 1)
    metrics.record_error("INVALID_EMAIL")
    with metrics.time_apply("DEAL"):
        pass

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    after = _samples(response.text)

    def grew(name: str, by: float, **labels: str) -> None:
        key = (name, tuple(sorted(labels.items())))
        assert after[key] - before.get(key, 0.0) == by

    grew("ecombridge_sync_messages_accepted_total", 3, object_type="DEAL")
    grew("ecombridge_sync_messages_applied_total", 2, object_type="DEAL", outcome="success")
    grew("ecombridge_sync_messages_applied_total", 1, object_type="DEAL", outcome="error")
    grew("ecombridge_sync_errors_total", 1, type="INVALID_EMAIL")
    grew("ecombridge_sync_apply_seconds_count", 1, object_type="DEAL")


def test_queue_gauges_are_read_from_the_jobs_table(client: TestClient, db: Database) -> None:
    empty = _samples(client.get("/metrics").text)
    assert empty[("ecombridge_queue_oldest_age_seconds", ())] == 0.0
    assert not [k for k in empty if k[0] == "ecombridge_queue_depth"]

    _enqueue(db, "SYNC_BATCH", "QUEUED", age_s=120)
    _enqueue(db, "SYNC_BATCH", "RUNNING", age_s=300)
    _enqueue(db, "IMPORT_APPLY", "QUEUED", age_s=5)
    _enqueue(db, "SYNC_BATCH", "DONE", age_s=900)
    # Scheduled for tomorrow a day ago (a workflow email): not waiting yet, so neither deep
    # nor old.
    _enqueue(db, "WORKFLOW_EMAIL", "QUEUED", age_s=86_400, due_in_s=86_400)

    found = _samples(client.get("/metrics").text)

    assert found[("ecombridge_queue_depth", (("kind", "SYNC_BATCH"),))] == 2
    assert found[("ecombridge_queue_depth", (("kind", "IMPORT_APPLY"),))] == 1
    assert ("ecombridge_queue_depth", (("kind", "WORKFLOW_EMAIL"),)) not in found
    assert 119 <= found[("ecombridge_queue_oldest_age_seconds", ())] < 200


def test_many_apps_in_one_process_share_the_metrics(config: Config, db: Database) -> None:
    metrics.record_accepted("PRODUCT", 1)
    for _ in range(3):
        with TestClient(create_app(config, db)) as each:
            response = each.get("/metrics")
            assert response.status_code == 200
            assert 'ecombridge_sync_messages_accepted_total{object_type="PRODUCT"}' in response.text
