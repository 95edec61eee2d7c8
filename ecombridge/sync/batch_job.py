"""The SYNC_BATCH job: apply one accepted batch, in the job's own write transaction.

The worker runs this in the transaction that also marks the job DONE, so the batch's effects and
the job's completion commit together: a worker killed half way leaves no partial batch, and the
job is applied again by whichever worker claims it after the lease expires.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable

from sqlalchemy.engine import Connection

from ecombridge.clock import now_ms
from ecombridge.observability import metrics
from ecombridge.queue.handlers import register
from ecombridge.queue.service import SYNC_BATCH, Job
from ecombridge.sync import repository as repo
from ecombridge.sync.messages import BatchContext, decode_messages

log = logging.getLogger(__name__)


@register(SYNC_BATCH)
def apply_sync_batch(conn: Connection, job: Job) -> None:
    batch = repo.get_batch(conn, job.ref_id)
    if batch is None:
        log.warning("job %d: sync batch %d no longer exists; nothing to apply", job.id, job.ref_id)
        return
    ctx = BatchContext(batch.portal_id, batch.source_app_id, batch.store_id, batch.object_type)
    messages = decode_messages(batch.payload)
    with metrics.time_apply(ctx.object_type):
        _apply_batch()(conn, ctx, messages, now_ms())


def _apply_batch() -> Callable[..., None]:
    apply_batch: Callable[..., None] = importlib.import_module("ecombridge.sync.apply").apply_batch
    return apply_batch
