"""The SYNC_BATCH job: apply accepted batches, in the job's own write transaction.

The worker runs this in the transaction that also marks the job DONE, so the batch's effects and
the job's completion commit together: a worker killed half way leaves no partial batch, and the
job is applied again by whichever worker claims it after the lease expires.

Consecutive batches of one (portal, source, store, object type) claimed together are applied as
one: ``apply_batch`` resolves an object's several messages in order (last writer wins by
``changedAt``), so the result is the same as applying them one by one, and the per-batch work
(rules, lookups, statements) is paid once.
"""

from __future__ import annotations

import logging
from functools import partial
from itertools import groupby
from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.clock import now_ms
from ecombridge.observability import metrics
from ecombridge.queue.handlers import register, register_group
from ecombridge.queue.parking import Parked, on_parked, on_retried
from ecombridge.queue.service import SYNC_BATCH, Job
from ecombridge.queue.write_turn import after_commit
from ecombridge.sync import repository as repo
from ecombridge.sync.apply import apply_batch
from ecombridge.sync.apply import repository as apply_repo
from ecombridge.sync.messages import BatchContext, Message, decode_messages

log = logging.getLogger(__name__)


@register(SYNC_BATCH)
def apply_sync_batch(conn: Connection, job: Job) -> None:
    apply_sync_batches(conn, [job])


@register_group(SYNC_BATCH)
def apply_sync_batches(conn: Connection, jobs: list[Job]) -> None:
    batches = repo.get_batches(conn, [job.ref_id for job in jobs])
    missing = {job.ref_id for job in jobs} - {b.id for b in batches}
    if missing:
        log.warning("sync batches %s no longer exist; nothing to apply", sorted(missing))
    processed_at = now_ms()
    for ctx, run in groupby(batches, key=_context):
        messages: list[Message] = []
        for batch in run:
            messages.extend(decode_messages(batch.payload))
        with metrics.time_apply(ctx.object_type):
            summary = apply_batch(conn, ctx, messages, processed_at)
        after_commit(conn, partial(summary.record, ctx.object_type))
    # Applied: the inbox keeps only what is still to apply (a parked job keeps its batch).
    repo.delete_batches(conn, [b.id for b in batches])


@on_parked(SYNC_BATCH)
def report_parked_batches(conn: Connection, parked: list[Parked]) -> None:
    """A batch that failed its last attempt is not applied; each of its objects gets a sync
    error saying so (UNKNOWN_ERROR, with the reason), so it never vanishes. The batch is kept:
    ``ecombridge jobs retry`` applies it later, and the errors resolve as it does."""
    reasons = {job.ref_id: _last_line(job.reason) for job in parked}
    now = now_ms()
    rows: list[tuple[Any, ...]] = []
    for batch in repo.get_batches(conn, list(reasons)):
        details = _storable(f"{PARKED_DETAILS}{reasons[batch.id]}")
        newest: dict[str, int] = {}
        for message in decode_messages(batch.payload):
            newest[message.external_id] = max(
                message.changed_at, newest.get(message.external_id, 0)
            )
        for external_id, changed_at in newest.items():
            rows.append(
                (
                    batch.portal_id,
                    batch.source_app_id,
                    batch.store_id,
                    batch.object_type,
                    _storable(external_id),
                    "UNKNOWN_ERROR",
                    details,
                    changed_at,
                    now,
                    "OPEN",
                )
            )
    apply_repo.upsert_errors(conn, rows)
    log.error("sync batches %s parked; their objects have a sync error", sorted(reasons))


PARKED_DETAILS = "The message could not be applied: its batch failed every attempt. Reason: "


@on_retried(SYNC_BATCH)
def withdraw_parked_errors(conn: Connection, retried: list[Parked]) -> None:
    """The batch is queued again: the errors its parking recorded are RESOLVED (a new
    object's first apply records no status of its own to replace them)."""
    for batch in repo.get_batches(conn, [job.ref_id for job in retried]):
        external_ids = {m.external_id for m in decode_messages(batch.payload)}
        repo.resolve_parked_errors(conn, _context(batch), external_ids, PARKED_DETAILS)


def _last_line(error: str) -> str:
    lines = [line for line in error.strip().splitlines() if line.strip()]
    return (lines[-1] if lines else "unknown")[:500]


def _storable(text: str) -> str:
    """Batches filed before NUL characters were refused at intake may hold them."""
    return text.replace("\x00", "\ufffd")


def _context(batch: Any) -> BatchContext:
    return BatchContext(batch.portal_id, batch.source_app_id, batch.store_id, batch.object_type)
