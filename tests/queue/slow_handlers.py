"""A job kind for worker-process tests (loaded through ECOMBRIDGE_JOB_HANDLER_MODULES): it
records its ref in ``id_sequences``, whose primary key fails on a second run of the same job."""

from __future__ import annotations

import time

from sqlalchemy.engine import Connection

from ecombridge.db.tables import id_sequences
from ecombridge.queue.handlers import register
from ecombridge.queue.service import Job

SLOW = "TEST_SLOW"


@register(SLOW)
def run_slowly(conn: Connection, job: Job) -> None:
    conn.execute(id_sequences.insert().values(name=f"slow-{job.ref_id}", next_value=job.id))
    time.sleep(0.03)
