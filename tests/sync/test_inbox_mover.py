"""On SQLite, accepted batches wait in the inbox file and workers move each into the queue
exactly once: across repeated moves, a stop between a move and the inbox's clean-up, a restart
of the bridge, and a new inbox file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ecombridge.db import inbox as inbox_db
from ecombridge.db.engine import Database
from ecombridge.db.tables import jobs, sync_batches
from ecombridge.queue.worker import Worker
from ecombridge.sync import inbox_mover
from ecombridge.sync.messages import BatchContext, Message
from ecombridge.sync.service import inbox_row
from tests.support.factories import Portal
from tests.support.inbox import in_inbox, queue_inbox
from tests.support.jobs import RunJobs, jobs_done

V2 = "/extensions/ecomm/v2/sync/messages"
KeyedPath = Callable[[str], str]


@pytest.fixture
def sqlite_db(db: Database) -> Database:
    if not db.is_sqlite:
        pytest.skip("PostgreSQL has no inbox: the intake files batches in the queue itself")
    return db


def send(client: TestClient, hapikey: KeyedPath, external_id: str) -> None:
    message = {"action": "UPSERT", "externalObjectId": external_id, "changedAt": 1}
    body = {"storeId": "default", "objectType": "PRODUCT", "messages": [message]}
    assert client.put(hapikey(V2), json=body).status_code == 204


def queued(db: Database) -> tuple[int, int]:
    """(batches in sync_batches, SYNC_BATCH jobs)."""
    with db.read() as conn:
        batches = conn.execute(sa.select(sa.func.count()).select_from(sync_batches)).scalar_one()
        kind = jobs.c.kind == "SYNC_BATCH"
        count = conn.execute(sa.select(sa.func.count()).where(kind)).scalar_one()
    return int(batches), int(count)


def test_an_accepted_batch_waits_in_the_inbox_file_until_a_worker_moves_it(
    client: TestClient, sqlite_db: Database, hapikey: KeyedPath, run_jobs: RunJobs
) -> None:
    send(client, hapikey, "p1")

    assert in_inbox(sqlite_db) == 1
    assert queued(sqlite_db) == (0, 0)
    assert inbox_mover.batches_waiting(sqlite_db)
    assert Path(f"{sqlite_db.engine.url.database}-inbox").is_file()

    run_jobs()

    assert in_inbox(sqlite_db) == 0
    assert jobs_done(sqlite_db, "SYNC_BATCH") == 1
    assert not inbox_mover.batches_waiting(sqlite_db)  # moved batches leave the inbox


def test_moving_again_moves_nothing_twice(
    client: TestClient, sqlite_db: Database, hapikey: KeyedPath
) -> None:
    send(client, hapikey, "p1")
    send(client, hapikey, "p2")

    assert queue_inbox(sqlite_db) == 2
    send(client, hapikey, "p3")
    assert queue_inbox(sqlite_db) == 1
    assert queue_inbox(sqlite_db) == 0

    assert queued(sqlite_db) == (3, 3)


def test_a_stop_before_the_inbox_is_cleaned_moves_nothing_twice(
    client: TestClient,
    sqlite_db: Database,
    hapikey: KeyedPath,
    monkeypatch: pytest.MonkeyPatch,
    run_jobs: RunJobs,
) -> None:
    send(client, hapikey, "p1")
    with monkeypatch.context() as patched:  # the process stops right after the move commits
        patched.setattr(inbox_mover, "_delete_moved", lambda inbox, through: None)
        assert queue_inbox(sqlite_db) == 1
    assert inbox_mover.batches_waiting(sqlite_db)  # still in the file

    send(client, hapikey, "p2")
    run_jobs()

    assert queued(sqlite_db)[1] == 2
    assert jobs_done(sqlite_db, "SYNC_BATCH") == 2
    assert not inbox_mover.batches_waiting(sqlite_db)  # the leftover was deleted too


def test_batches_accepted_before_a_restart_are_applied_after_it(
    client: TestClient, sqlite_db: Database, portal: Portal, hapikey: KeyedPath
) -> None:
    send(client, hapikey, "p1")
    url = sqlite_db.url
    sqlite_db.dispose()

    restarted = Database(url, sqlite_synchronous="NORMAL")
    try:
        assert Worker(restarted).drain() == 1
        assert in_inbox(restarted) == 0
        assert jobs_done(restarted, "SYNC_BATCH") == 1
    finally:
        restarted.dispose()


def test_a_new_inbox_file_is_moved_from_its_start(
    client: TestClient, sqlite_db: Database, portal: Portal, hapikey: KeyedPath
) -> None:
    send(client, hapikey, "p1")
    send(client, hapikey, "p2")
    queue_inbox(sqlite_db)
    url = sqlite_db.url
    sqlite_db.dispose()
    for leftover in Path(f"{sqlite_db.engine.url.database}-inbox").parent.glob("*-inbox*"):
        leftover.unlink()  # the inbox file is lost (emptied, it holds nothing to apply)

    restarted = Database(url, sqlite_synchronous="NORMAL")
    try:
        inbox = restarted.inbox
        assert inbox is not None
        ctx = BatchContext(portal.id, 0, "default", "PRODUCT")
        row = inbox_row(ctx, [Message("p3", "UPSERT", 1, {}, {})], 1)
        with inbox.database.write() as iconn:
            inbox_db.insert_batches(iconn, [row])

        assert queue_inbox(restarted) == 1  # its id 1 is not taken for one already moved
        assert queued(restarted) == (3, 3)
    finally:
        restarted.dispose()
