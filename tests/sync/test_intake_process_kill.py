"""A worker process killed while applying sync batches: after its leases expire another worker
applies the batches again, with no duplicate objects and the newest values winning."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from ecombridge.db.tables import crm_objects, jobs, sync_objects
from tests.queue.test_worker_process import job_counts, start_worker, wait_for
from tests.sync.test_intake_end_to_end import contact, first_names, send, set_up_portal

KeyedPath = Callable[[str], str]
CONTACTS = 1000
BATCHES = 40


@pytest.mark.slow
def test_a_killed_worker_s_batches_are_reapplied_without_duplicates(
    client: TestClient, db: Database, database_url: str, hapikey: KeyedPath, tmp_path: Path
) -> None:
    set_up_portal(client, hapikey)
    expected: dict[str, str] = {}
    for batch in range(BATCHES):
        ids = [f"c{(batch * 200 + j) % CONTACTS}" for j in range(200)]
        send(client, hapikey, *(contact(i, batch + 1, f"{i}-{batch + 1}") for i in ids))
        expected.update({i: f"{i}-{batch + 1}" for i in ids})

    first = start_worker(
        database_url, tmp_path / "first.log", "--lease-seconds", "1", "--claim-size", "2"
    )
    try:
        wait_for(
            lambda: (
                job_counts(db, "SYNC_BATCH").get("DONE", 0) >= 2
                and "RUNNING" in job_counts(db, "SYNC_BATCH")
            )
        )
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    assert job_counts(db, "SYNC_BATCH").get("RUNNING", 0) > 0  # the dead worker still holds leases
    assert job_counts(db, "SYNC_BATCH").get("DONE", 0) < BATCHES

    time.sleep(1.0)  # let the leases expire
    second = start_worker(database_url, tmp_path / "second.log")
    try:
        wait_for(lambda: job_counts(db, "SYNC_BATCH") == {"DONE": BATCHES})
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(20)
    assert second.returncode == 0, (tmp_path / "second.log").read_text()

    with db.read() as conn:
        objects = conn.execute(
            sa.select(sa.func.count()).where(crm_objects.c.object_type == "CONTACT")
        ).scalar_one()
        links = conn.execute(sa.select(sa.func.count()).select_from(sync_objects)).scalar_one()
        retaken = conn.execute(sa.select(sa.func.count()).where(jobs.c.attempts > 1)).scalar_one()
    assert (objects, links) == (CONTACTS, CONTACTS)
    assert retaken > 0
    assert first_names(db) == expected
