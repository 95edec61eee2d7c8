"""A batch that fails its every attempt is parked, and never vanishes: each of its objects gets a
sync error saying why (UNKNOWN_ERROR), and a retry that succeeds resolves them."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ecombridge.clock import now_ms
from ecombridge.db.engine import Database
from ecombridge.db.tables import jobs
from ecombridge.queue import service as queue
from ecombridge.sync import batch_job, service
from ecombridge.sync.messages import BatchContext, Message
from tests.support.factories import Portal
from tests.support.jobs import RunJobs
from tests.sync.test_intake_end_to_end import KeyedPath, contact, send, set_up_portal

ERRORS = "/extensions/ecomm/v2/sync/errors/portal"
LATER = 10**10  # past every retry's backoff


def _errors(client: TestClient, hapikey: KeyedPath) -> list[dict[str, Any]]:
    answer = client.get(hapikey(ERRORS))
    assert answer.status_code == 200, answer.text
    return list(answer.json()["results"])


def _parked(db: Database) -> list[Any]:
    with db.read() as conn:
        return conn.execute(sa.select(jobs.c.id).where(jobs.c.status == "FAILED")).all()


def test_each_object_of_a_parked_batch_gets_a_sync_error(
    client: TestClient,
    db: Database,
    hapikey: KeyedPath,
    run_jobs: RunJobs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_up_portal(client, hapikey)
    send(client, hapikey, contact("c1", 1, "Ann"), contact("c2", 2, "Bo"), contact("c1", 3, "Al"))

    def broken(*_args: Any) -> Any:
        raise RuntimeError("the apply broke")

    with monkeypatch.context() as patched:
        patched.setattr(batch_job, "apply_batch", broken)
        run_jobs(now=now_ms() + LATER)  # every attempt, then parked
    [job] = _parked(db)

    errors = sorted(_errors(client, hapikey), key=lambda e: e["externalObjectId"])
    assert [(e["externalObjectId"], e["type"], e["changedAt"]) for e in errors] == [
        ("c1", "UNKNOWN_ERROR", 3),
        ("c2", "UNKNOWN_ERROR", 2),
    ]
    assert all("RuntimeError: the apply broke" in e["details"] for e in errors)

    with db.write() as conn:
        assert queue.retry_failed(conn, job.id)
    run_jobs()
    assert _errors(client, hapikey) == []  # applied at last: resolved
    status = client.get(hapikey("/extensions/ecomm/v2/sync/status/shop/CONTACT/c1"))
    assert status.json()["hubspotId"] is not None
    assert [e["status"] for e in status.json()["errors"]] == ["RESOLVED"]


def test_a_batch_postgresql_cannot_store_surfaces_too(
    client: TestClient, db: Database, hapikey: KeyedPath, run_jobs: RunJobs, portal: Portal
) -> None:
    """A NUL character filed before the intake refused them: the batch fails every attempt on
    PostgreSQL, and its objects say so instead of staying "not processed"."""
    if db.is_sqlite:
        pytest.skip("SQLite stores NUL characters")
    set_up_portal(client, hapikey)
    with db.read() as conn:
        store_id = service.resolve_store(conn, portal.id, 0, "shop")
    messages = [Message("c\x00", "UPSERT", 5, {"first_name": "A\x00"}, {})]
    messages.append(Message("c2", "UPSERT", 6, {"first_name": "B\x00"}, {}))
    with db.write() as conn:
        service.accept_batch(conn, BatchContext(portal.id, 0, store_id, "CONTACT"), messages, 1)
    run_jobs(now=now_ms() + LATER)
    assert len(_parked(db)) == 1
    errors = sorted(_errors(client, hapikey), key=lambda e: e["externalObjectId"])
    assert [(e["externalObjectId"], e["type"]) for e in errors] == [
        ("c2", "UNKNOWN_ERROR"),
        ("c\ufffd", "UNKNOWN_ERROR"),
    ]
