"""The SQLite intake inbox in tests: what waits in it, and moving it into the queue as a
worker's claim transaction does (no-ops on PostgreSQL, which has no inbox)."""

from __future__ import annotations

from ecombridge.db import inbox
from ecombridge.db.engine import Database
from ecombridge.queue.write_turn import turn_write
from ecombridge.sync.inbox_mover import move_batches


def queue_inbox(db: Database) -> int:
    """File every batch waiting in the inbox in ``sync_batches`` with its job; how many."""
    moved = 0
    while True:
        with turn_write(db) as conn:
            step = move_batches(db, conn, limit=32)
        if step == 0:
            return moved
        moved += step


def in_inbox(db: Database) -> int:
    """Batches accepted into the inbox and not yet moved into the queue."""
    return inbox.waiting(db)[0]
