"""Applying an import through the sync engine while its pages arrive, chunk by chunk, resumable.

Types are applied in the order PRODUCT -> CONTACT -> DEAL -> LINE_ITEM so associations find their
targets, and the pages of a type in page-number order, as if the import had been applied once
received: a type's pages are applied while they arrive only once every type before it has ended
and been applied, and then only pages whose numbers follow the last applied one without a gap (a
page that arrives later can only have a higher number: a number taken is refused). Once the type
has ended, the rest of its pages are applied in number order. Pages live in a file of their own
on SQLite (``ecombridge.db.page_store``), so receiving does not wait for the apply.

Each chunk (a few pages) is applied in its own transaction together with the progress counter
and the cursor (last applied page of the type), so a restart resumes exactly after the last
committed chunk, without double counting. The IMPORT_APPLY job runs from the start of the import:
when no chunk is ready yet it schedules itself again shortly (one queued job per import). The
import is COMPLETE once all four types have ended and their pages are applied. Imported messages
carry changedAt = importStartedAt: anything synced later wins over them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.clock import now_ms
from ecombridge.db.analyze import IMPORTED_TABLES, analyze
from ecombridge.db.engine import Database
from ecombridge.errors import NotFound
from ecombridge.imports import repository as repo
from ecombridge.imports.pages import reading
from ecombridge.imports.service import (
    APPLY_ORDER,
    AWAITING_COUNTS,
    COMPLETE,
    PROCESSING,
    RECEIVING,
    add_event,
    fail_import,
)
from ecombridge.queue.service import IMPORT_APPLY, schedule
from ecombridge.queue.write_turn import after_commit, turn_write
from ecombridge.stores.service import resolve_store
from ecombridge.sync.apply import apply_batch
from ecombridge.sync.messages import BatchContext, Message, decode_messages

# v2 pages hold up to 200 messages, v1 pages up to 500. A chunk of 2,000-5,000 messages pays the
# per-batch work of the apply (rules, lookups, one commit) once for all of them: about a fifth
# faster than 2 pages, while a chunk still holds SQLite's write lock for well under a second.
PAGES_PER_CHUNK = 10
# While pages arrive and no chunk is ready, the apply looks again this much later.
POLL_MS = 100
APPLYING_STATES = (AWAITING_COUNTS, RECEIVING, PROCESSING)


class Step(enum.Enum):
    APPLIED = "a chunk was applied"
    WAITING = "nothing to apply yet: scheduled again"
    FINISHED = "complete, failed or gone"


def run_import_apply(
    db: Database,
    import_id: int,
    *,
    pages_per_chunk: int = PAGES_PER_CHUNK,
    on_chunk: Callable[[], None] | None = None,
) -> Step:
    """Apply what is ready of an import, then mark it COMPLETE once everything is applied, or
    schedule the job again when more pages are to come. Safe to run again (and concurrently).

    ``on_chunk`` runs after each committed chunk (the job extends its lease there).
    """
    while True:
        step = _apply_next_chunk(db, import_id, pages_per_chunk)
        if step is not Step.APPLIED:
            return step
        if on_chunk is not None:
            on_chunk()


def _apply_next_chunk(db: Database, import_id: int, pages_per_chunk: int) -> Step:
    """Apply the next chunk in one transaction, or find there is none (yet)."""
    with turn_write(db) as conn:
        row = repo.get_import(conn, import_id)
        if row is None or row.state not in APPLYING_STATES:
            return Step.FINISHED
        try:
            store_id = resolve_store(conn, row.portal_id, row.app_id, row.store_id)
        except NotFound as exc:
            fail_import(conn, import_id, f"the store can no longer be applied to: {exc}")
            return Step.FINISHED
        # The cursors are locked (PostgreSQL: a second run of the job waits here). The import
        # row is neither locked nor written until the import completes: receiving locks it
        # before the type rows (an end marks its type), so writing it while holding the
        # cursors would deadlock with an end.
        types = {t.object_type: t for t in repo.get_types(conn, import_id, for_update=True)}
        object_type, pages = _next_chunk(conn, import_id, types, pages_per_chunk)
        if object_type is None:
            if all(t.ended_at is not None for t in types.values()) and row.state == PROCESSING:
                return _complete(db, conn, import_id, types)
            schedule(conn, IMPORT_APPLY, import_id, row.portal_id, now_ms() + POLL_MS)
            return Step.WAITING
        messages: list[Message] = []
        for _number, payload in pages:
            messages.extend(decode_messages(payload))
        ctx = BatchContext(row.portal_id, row.app_id, store_id, object_type, origin="import")
        now = now_ms()
        if messages:
            summary = apply_batch(conn, ctx, messages, now)
            after_commit(conn, partial(summary.record, object_type))
        repo.record_applied(conn, import_id, object_type, len(messages), pages[-1][0])
        return Step.APPLIED


def _next_chunk(
    conn: Connection, import_id: int, types: dict[str, Any], pages_per_chunk: int
) -> tuple[str | None, list[tuple[int, bytes]]]:
    """The type and pages (number, payload) to apply next; (None, []) when none is ready.

    Read after the types: every page of a type seen ended is stored by then (an end holds off
    receiving until it commits, ``page_writer.ending``)."""
    with reading(conn) as store_conn:
        for object_type in APPLY_ORDER:
            cursor = types[object_type].applied_through_page
            rows = repo.pages_after(store_conn, import_id, object_type, cursor, pages_per_chunk)
            if store_conn is not conn:  # pages received before they had a file of their own
                rows += repo.pages_after(conn, import_id, object_type, cursor, pages_per_chunk)
                rows.sort(key=lambda r: int(r.page_number))
                del rows[pages_per_chunk:]
            pages = [(int(r.page_number), bytes(r.payload)) for r in rows]
            if types[object_type].ended_at is not None:
                if pages:
                    return object_type, pages
                continue  # applied: the next type may go
            expected = 0 if cursor is None else cursor + 1
            ready = []
            for number, payload in pages:
                if number != expected:
                    break
                ready.append((number, payload))
                expected += 1
            if len(ready) == pages_per_chunk:
                return object_type, ready
            return None, []  # this type is still arriving: later types wait for it
    return None, []


def _complete(db: Database, conn: Connection, import_id: int, types: dict[str, Any]) -> Step:
    applied = sum(t.applied for t in types.values())
    # A bulk load: fresh planner statistics before the next queries (PostgreSQL).
    after_commit(conn, partial(analyze, db.engine, IMPORTED_TABLES))
    add_event(
        conn,
        import_id,
        f"Import applied: {applied} records.",
        state=COMPLETE,
        completed_at=now_ms(),
    )
    return Step.FINISHED
