"""Backpressure: past the ceiling of batches waiting to be applied (per portal, and in all) the
intake answers 429 with Retry-After in HubSpot's shape, and takes batches again once the
workers catch up."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ecombridge.api.app import create_app
from ecombridge.config import Config
from ecombridge.db.engine import Database
from ecombridge.sync import backpressure
from ecombridge.sync.backpressure import QueueDepth, depth_of
from tests.support.factories import make_portal
from tests.support.jobs import RunJobs
from tests.support.wire import assert_hubspot_error

V2 = "/extensions/ecomm/v2/sync/messages"
V1 = "/extensions/ecomm/v1/sync-messages/CONTACT"


def batch(external_id: str) -> dict[str, Any]:
    message = {"action": "UPSERT", "externalObjectId": external_id, "changedAt": 1}
    return {"storeId": "default", "objectType": "CONTACT", "messages": [message]}


@pytest.fixture
def limited(
    database_url: str, db: Database, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    # The tests count the queue themselves (count_now) where the background thread would, so
    # what each request sees does not depend on when a count happens to run.
    monkeypatch.setattr(QueueDepth, "_count_while_used", lambda self: None)
    config = Config(
        database_url=database_url,
        public_base_url="http://testserver",
        max_queued_batches_per_portal=3,
        max_queued_batches=5,
    )
    with TestClient(create_app(config, db), raise_server_exceptions=False) as client:
        yield client


def test_a_portal_past_its_ceiling_gets_429_until_the_queue_drains(
    limited: TestClient, db: Database, hapikey: Callable[[str], str], run_jobs: RunJobs
) -> None:
    for i in range(3):
        assert limited.put(hapikey(V2), json=batch(f"c{i}")).status_code == 204
    depth_of(db).count_now()  # what the background count does every second

    refused = limited.put(hapikey(V2), json=batch("c3"))
    assert refused.status_code == 429
    assert_hubspot_error(refused.json(), "RATE_LIMITS")
    assert "3 batches of this portal are waiting" in refused.json()["message"]
    assert refused.headers["Retry-After"] == "10"
    v1 = limited.put(hapikey(V1), json=[{"integratorObjectId": "c3", "action": "UPSERT"}])
    assert v1.status_code == 429

    run_jobs()
    depth_of(db).count_now()
    assert limited.put(hapikey(V2), json=batch("c3")).status_code == 204


def test_the_bridge_past_its_overall_ceiling_refuses_every_portal(
    limited: TestClient, db: Database, hapikey: Callable[[str], str]
) -> None:
    others = [make_portal(db, f"Other {i}") for i in range(2)]
    for i in range(3):
        assert limited.put(hapikey(V2), json=batch(f"c{i}")).status_code == 204
    key = {"hapikey": others[0].api_key}
    for i in range(2):
        assert limited.put(V2, params=key, json=batch(f"o{i}")).status_code == 204
    depth_of(db).count_now()

    refused = limited.put(V2, params={"hapikey": others[1].api_key}, json=batch("x"))
    assert refused.status_code == 429
    assert "5 batches are waiting to be applied" in refused.json()["message"]


def test_the_counting_thread_stops_with_its_database_and_leaves_no_connection(
    database_url: str,
) -> None:
    own = Database(database_url, sqlite_synchronous="NORMAL")
    depth = depth_of(own)
    depth.of(1)  # the first request starts the background count
    deadline = time.monotonic() + 10
    while depth.counted_at == 0.0:
        assert time.monotonic() < deadline, "the queue was never counted"
        time.sleep(0.01)

    own.dispose()

    while depth._thread is not None:
        assert time.monotonic() < deadline, "the counting thread outlived its database"
        time.sleep(0.01)
    assert own.engine.pool.checkedin() == 0  # nothing left for the garbage collector to close


def test_a_count_neither_misses_nor_repeats_batches_noted_around_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches are noted after their commit. One noted before a count began is in what the
    count reads; one committed and noted while the count reads is not, and must stay counted."""
    monkeypatch.setattr(QueueDepth, "_count_while_used", lambda self: None)
    depth = QueueDepth(db)
    depth.accepted(7, 2)  # committed: the count below reads them
    committed: dict[int, int] = {7: 2}

    def read_while_another_commits(_db: Database) -> dict[int, int]:
        snapshot = dict(committed)
        committed[7] += 1
        depth.accepted(7)  # committed after the snapshot was taken
        return snapshot

    monkeypatch.setattr(backpressure, "repo_counts", read_while_another_commits)
    depth.count_now()

    assert depth.of(7) == (3, 3)  # 2 read, 1 noted meanwhile: each once
    monkeypatch.setattr(backpressure, "repo_counts", lambda _db: dict(committed))
    depth.count_now()
    assert depth.of(7) == (3, 3)
