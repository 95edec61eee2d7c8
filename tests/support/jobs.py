"""Running queued jobs deterministically: ``run_jobs()`` drains the queue in the test thread.

def test_something(client, run_jobs):
    client.put("/extensions/ecomm/v2/sync/messages?hapikey=...", json=...)
    run_jobs()          # every accepted batch is now applied
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from ecombridge.db.engine import Database
from ecombridge.db.tables import jobs
from ecombridge.queue.worker import drain

RunJobs = Callable[..., int]


@pytest.fixture
def run_jobs(db: Database) -> RunJobs:
    """Apply every runnable job now; returns how many ran. ``run_jobs(now=ms)`` also runs jobs
    scheduled (retried) before ``ms``."""

    def run(now: int | None = None) -> int:
        return drain(db, now=now)

    return run


def jobs_done(db: Database, kind: str) -> int:
    """How many jobs of ``kind`` are DONE (on PostgreSQL applies also queue RESOLVE_PENDING
    re-checks, so counting every job run says little)."""
    with db.read() as conn:
        query = sa.select(sa.func.count()).where(jobs.c.kind == kind, jobs.c.status == "DONE")
        return int(conn.execute(query).scalar_one())
