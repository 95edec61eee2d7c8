"""enqueue_after_commit: a job that runs after the caller's transaction commits, without one
queued per caller."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ecombridge.db.engine import Database
from ecombridge.db.tables import jobs
from ecombridge.queue import service as queue

T0 = 1_700_000_000_000


def _queued_ids(db: Database) -> list[int]:
    with db.read() as conn:
        query = sa.select(jobs.c.id).where(jobs.c.status == "QUEUED").order_by(jobs.c.id)
        return [int(i) for i in conn.execute(query).scalars()]


def test_callers_one_after_the_other_share_one_queued_job(db: Database) -> None:
    with db.write() as conn:
        first = queue.enqueue_after_commit(conn, "RECHECK", 7, 7, now=T0)
    with db.write() as conn:
        second = queue.enqueue_after_commit(conn, "RECHECK", 7, 7, now=T0)
        other_ref = queue.enqueue_after_commit(conn, "RECHECK", 8, 8, now=T0)

    assert second == first
    assert _queued_ids(db) == sorted([first, other_ref])


def test_a_claimed_job_is_not_reused(db: Database) -> None:
    with db.write() as conn:
        first = queue.enqueue_after_commit(conn, "RECHECK", 7, 7, now=T0)
    with db.write() as conn:
        [claimed] = queue.claim(conn, now=T0)
    with db.write() as conn:
        second = queue.enqueue_after_commit(conn, "RECHECK", 7, 7, now=T0)

    assert claimed.id == first
    assert second != first and _queued_ids(db) == [second]


def test_a_job_locked_by_an_open_transaction_is_claimed_only_after_it_commits(
    request: pytest.FixtureRequest, db: Database
) -> None:
    if request.node.callspec.params["database_url"] != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    with db.write() as conn:
        job_id = queue.enqueue_after_commit(conn, "RECHECK", 7, 7, now=T0)

    with db.write() as holder:
        assert queue.enqueue_after_commit(holder, "RECHECK", 7, 7, now=T0) == job_id
        with db.write() as conn:
            assert queue.claim(conn, now=T0) == []  # held: a claim now would run too early
        with db.write() as conn:  # a concurrent caller does not wait: it queues its own
            concurrent = queue.enqueue_after_commit(conn, "RECHECK", 7, 7, now=T0)
        assert concurrent != job_id
        with db.write() as conn:
            assert [job.id for job in queue.claim(conn, limit=5, now=T0)] == [concurrent]

    with db.write() as conn:
        assert [job.id for job in queue.claim(conn, limit=5, now=T0)] == [job_id]
