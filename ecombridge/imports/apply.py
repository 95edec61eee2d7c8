"""Applying a received import through the sync engine, page by page, resumable.

Types are applied in the order PRODUCT -> CONTACT -> DEAL -> LINE_ITEM so associations find their
targets. Each chunk (a few pages) is applied in its own transaction together with the progress
counter and the cursor (last applied page of the type), so a restart resumes exactly after the
last committed chunk, without double counting. Imported messages carry changedAt =
importStartedAt: anything synced later wins over them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ecombridge.clock import now_ms
from ecombridge.db.analyze import IMPORTED_TABLES, analyze
from ecombridge.db.engine import Database
from ecombridge.errors import NotFound
from ecombridge.imports import repository as repo
from ecombridge.imports.service import APPLY_ORDER, COMPLETE, PROCESSING, add_event, fail_import
from ecombridge.queue.write_turn import after_commit, turn_write
from ecombridge.stores.service import resolve_store
from ecombridge.sync.apply import apply_batch
from ecombridge.sync.messages import BatchContext, Message, decode_messages

# v2 pages hold up to 200 messages, v1 pages up to 500. A chunk of 2,000-5,000 messages pays the
# per-batch work of the apply (rules, lookups, one commit) once for all of them: about a fifth
# faster than 2 pages, while a chunk still holds SQLite's write lock for well under a second.
PAGES_PER_CHUNK = 10


def run_import_apply(
    db: Database,
    import_id: int,
    *,
    pages_per_chunk: int = PAGES_PER_CHUNK,
    on_chunk: Callable[[], None] | None = None,
) -> None:
    """Apply a PROCESSING import to the end, then mark it COMPLETE. Safe to run again.

    ``on_chunk`` runs after each committed chunk (the job extends its lease there).
    """
    while _apply_next_chunk(db, import_id, pages_per_chunk):
        if on_chunk is not None:
            on_chunk()


def _apply_next_chunk(db: Database, import_id: int, pages_per_chunk: int) -> bool:
    """Apply the next chunk in one transaction; False when nothing is left to do."""
    with turn_write(db) as conn:
        row = repo.get_import(conn, import_id, for_update=True)
        if row is None or row.state != PROCESSING:
            return False
        types = {t.object_type: t for t in repo.get_types(conn, import_id)}
        for object_type in APPLY_ORDER:
            cursor = types[object_type].applied_through_page
            pages = repo.pages_after(conn, import_id, object_type, cursor, pages_per_chunk)
            if not pages:
                continue
            messages: list[Message] = []
            for page in pages:
                messages.extend(decode_messages(bytes(page.payload)))
            try:
                store_id = resolve_store(conn, row.portal_id, row.app_id, row.store_id)
            except NotFound as exc:
                fail_import(conn, import_id, f"the store can no longer be applied to: {exc}")
                return False
            ctx = BatchContext(row.portal_id, row.app_id, store_id, object_type, origin="import")
            now = now_ms()
            if messages:
                summary = apply_batch(conn, ctx, messages, now)
                after_commit(conn, partial(summary.record, object_type))
            repo.record_applied(
                conn, import_id, object_type, len(messages), int(pages[-1].page_number)
            )
            repo.update_import(conn, import_id, updated_at=now)
            return True
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
        return False
