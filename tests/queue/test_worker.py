"""Workers: handlers run in the job's transaction, groups, failures isolated, graceful stop,
in-process workers started by the app."""

from __future__ import annotations

import time

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Connection

from ecombridge.db.engine import Database
from ecombridge.db.tables import id_sequences
from ecombridge.queue import service as queue
from ecombridge.queue.handlers import register
from ecombridge.queue.notify import wake
from ecombridge.queue.service import Job
from ecombridge.queue.worker import Worker, WorkerOptions, drain
from tests.support.jobs import RunJobs

POISON = 666


@register("TEST_MARK")
def _mark(conn: Connection, job: Job) -> None:
    """Records the job's ref; a second run of the same job would violate the primary key."""
    conn.execute(id_sequences.insert().values(name=f"mark-{job.ref_id}", next_value=job.id))
    if job.ref_id == POISON:
        raise ValueError("poison job")


@register("TEST_OUTSIDE", in_transaction=False)
def _outside(db: Database, job: Job) -> None:
    with db.write() as conn:
        conn.execute(id_sequences.insert().values(name=f"outside-{job.ref_id}", next_value=0))


def _enqueue(db: Database, kind: str, *refs: int) -> list[int]:
    with db.write() as conn:
        return [queue.enqueue(conn, kind, ref, 1) for ref in refs]


def _marks(db: Database) -> set[str]:
    with db.read() as conn:
        return set(conn.execute(sa.select(id_sequences.c.name)).scalars())


def _statuses(db: Database, ids: list[int]) -> list[str]:
    with db.read() as conn:
        return [queue.get_job(conn, i).status for i in ids]  # type: ignore[union-attr]


def test_run_jobs_applies_everything_queued_in_order(db: Database, run_jobs: RunJobs) -> None:
    ids = _enqueue(db, "TEST_MARK", 1, 2, 3)
    assert run_jobs() == 3
    assert _marks(db) >= {"mark-1", "mark-2", "mark-3"}
    assert _statuses(db, ids) == ["DONE"] * 3
    assert run_jobs() == 0


def test_a_failing_job_is_rolled_back_alone_and_retried(db: Database, run_jobs: RunJobs) -> None:
    ids = _enqueue(db, "TEST_MARK", 1, POISON, 3)
    assert run_jobs() == 3
    marks = _marks(db)
    assert {"mark-1", "mark-3"} <= marks and f"mark-{POISON}" not in marks
    assert _statuses(db, ids) == ["DONE", "QUEUED", "DONE"]
    with db.read() as conn:
        poisoned = queue.get_job(conn, ids[1])
    assert poisoned is not None and "ValueError: poison job" in (poisoned.last_error or "")
    assert poisoned.run_after > poisoned.created_at


def test_a_poison_job_ends_parked_after_its_attempts(db: Database) -> None:
    with db.write() as conn:
        job_id = queue.enqueue(conn, "TEST_MARK", POISON, 1, max_attempts=3)
    far = 2**50
    for _ in range(3):
        drain(db, now=far)
    with db.read() as conn:
        [parked] = queue.failed_jobs(conn)
    assert (parked.id, parked.attempts) == (job_id, 3)
    assert "poison job" in (parked.last_error or "")


def test_handlers_that_manage_their_own_transactions(db: Database, run_jobs: RunJobs) -> None:
    ids = _enqueue(db, "TEST_OUTSIDE", 5)
    assert run_jobs() == 1
    assert "outside-5" in _marks(db)
    assert _statuses(db, ids) == ["DONE"]


def test_a_job_of_an_unknown_kind_fails_with_a_clear_error(db: Database, run_jobs: RunJobs) -> None:
    [job_id] = _enqueue(db, "NO_SUCH_KIND", 1)
    run_jobs()
    with db.read() as conn:
        job = queue.get_job(conn, job_id)
    assert job is not None and job.status == "QUEUED"
    assert job.last_error == "no handler registered for job kind 'NO_SUCH_KIND'"


def test_a_stopping_worker_gives_back_the_jobs_it_has_not_started(db: Database) -> None:
    ids = _enqueue(db, "TEST_MARK", 1, 2)
    worker = Worker(db, WorkerOptions(claim_size=10))
    with db.write() as conn:
        claimed = queue.claim(conn, limit=10)
    worker.stop()
    worker.process(claimed)
    assert _statuses(db, ids) == ["QUEUED", "QUEUED"]
    with db.read() as conn:
        assert [queue.get_job(conn, i).attempts for i in ids] == [0, 0]  # type: ignore[union-attr]


def test_the_app_runs_in_process_workers_only_when_asked(app: FastAPI, db: Database) -> None:
    ids = _enqueue(db, "TEST_MARK", 1)
    with TestClient(app):
        time.sleep(0.2)
        assert _statuses(db, ids) == ["QUEUED"]  # tests start no worker by default
    app.state.worker_count = 1
    with TestClient(app):
        wake(db)
        deadline = time.monotonic() + 10
        while _statuses(db, ids) != ["DONE"] and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _statuses(db, ids) == ["DONE"]
        ids2 = _enqueue(db, "TEST_MARK", 2)
        started = time.monotonic()
        wake(db)
        while _statuses(db, ids2) != ["DONE"] and time.monotonic() < deadline:
            time.sleep(0.005)
        assert time.monotonic() - started < 1.0
    assert not any(t.is_alive() for t in app.state.worker_threads.threads)
