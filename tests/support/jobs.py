"""Running queued jobs deterministically: ``run_jobs()`` drains the queue in the test thread.

def test_something(client, run_jobs):
    client.put("/extensions/ecomm/v2/sync/messages?hapikey=...", json=...)
    run_jobs()          # every accepted batch is now applied
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ecombridge.db.engine import Database
from ecombridge.queue.worker import drain

RunJobs = Callable[..., int]


@pytest.fixture
def run_jobs(db: Database) -> RunJobs:
    """Apply every runnable job now; returns how many ran. ``run_jobs(now=ms)`` also runs jobs
    scheduled (retried) before ``ms``."""

    def run(now: int | None = None) -> int:
        return drain(db, now=now)

    return run
