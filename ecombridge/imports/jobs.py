"""The import jobs of the queue: IMPORT_WEBHOOK and IMPORT_APPLY (ref_id = imports.id).

Both wait on the network or run long, so they manage their own transactions. The queue retries a
failed attempt with backoff; when the last attempt fails, the import is marked FAILED so it never
stays in progress forever.
"""

from __future__ import annotations

import time

from ecombridge.db.engine import Database
from ecombridge.imports.apply import run_import_apply
from ecombridge.imports.service import fail_import
from ecombridge.imports.webhook import run_import_webhook
from ecombridge.queue.handlers import register
from ecombridge.queue.service import IMPORT_APPLY, IMPORT_WEBHOOK, Job, extend_lease

LEASE_REFRESH_S = 15.0  # well within the queue's 60 s lease


def _is_last(job: Job) -> bool:
    return job.attempts >= job.max_attempts


@register(IMPORT_WEBHOOK, in_transaction=False)
def import_webhook_job(db: Database, job: Job) -> None:
    run_import_webhook(db, job.ref_id, attempt=job.attempts, final=_is_last(job))


@register(IMPORT_APPLY, in_transaction=False)
def import_apply_job(db: Database, job: Job) -> None:
    extended_at = time.monotonic()

    def keep_lease() -> None:
        nonlocal extended_at
        if time.monotonic() - extended_at > LEASE_REFRESH_S:
            with db.write() as conn:
                extend_lease(conn, job)
            extended_at = time.monotonic()

    try:
        run_import_apply(db, job.ref_id, on_chunk=keep_lease)
    except Exception as exc:
        if _is_last(job):
            with db.write() as conn:
                fail_import(conn, job.ref_id, f"applying the import failed: {exc}")
        raise
