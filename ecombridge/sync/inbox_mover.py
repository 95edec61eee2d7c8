"""Moving accepted batches from the SQLite inbox into the queue (see ``ecombridge.db.inbox``).

Runs in a worker's claim transaction on the main database, which it holds the write lock of:
the batches after the inbox's cursor are filed in ``sync_batches`` with their SYNC_BATCH jobs
and the cursor is advanced, all in that transaction, so the claim that follows can take them
and a batch is moved exactly once. Once that commits, the moved batches are deleted from the
inbox; a deletion that does not happen (the process stopped) is done by a later move.
"""

from __future__ import annotations

from functools import partial

from sqlalchemy.engine import Connection

from ecombridge.db import inbox as inbox_db
from ecombridge.db.engine import Database, Inbox
from ecombridge.queue import service as queue
from ecombridge.queue.handlers import Feeder, register_feeder
from ecombridge.queue.write_turn import after_commit, turn_write
from ecombridge.sync import repository as repo


def batches_waiting(db: Database) -> bool:
    """Whether the inbox holds batches (a cheap read; moved ones may not be deleted yet)."""
    inbox = db.inbox
    if inbox is None:
        return False
    with inbox.database.read() as iconn:
        return inbox_db.newest_id(iconn) > 0


def move_batches(db: Database, conn: Connection, limit: int) -> int:
    """In the main database's write transaction ``conn``: queue up to ``limit`` of the inbox's
    new batches (as many as the claim that follows takes: the more are moved at once, the
    longer their deletion holds the inbox's write lock, which the intake waits for; 256 took
    about 30 ms, 32 about 4 ms). Returns how many were moved."""
    inbox = db.inbox
    if inbox is None:
        return 0
    moved_through = repo.inbox_cursor(conn, inbox.identity)
    with inbox.database.read() as iconn:
        rows = inbox_db.batches_after(iconn, moved_through, limit)
        leftovers = not rows and inbox_db.newest_id(iconn) > 0
    batch_ids = repo.insert_batches_in_order(conn, rows)
    queue.enqueue_many(
        conn,
        queue.SYNC_BATCH,
        [(i, row.portal_id, row.received_at) for i, row in zip(batch_ids, rows, strict=True)],
    )
    if rows:
        moved_through = int(rows[-1].id)
        repo.set_inbox_cursor(conn, inbox.identity, moved_through)
    if rows or leftovers:
        after_commit(conn, partial(_delete_moved, inbox, moved_through))
    return len(rows)


def _delete_moved(inbox: Inbox, moved_through: int) -> None:
    with turn_write(inbox.database) as iconn:
        inbox_db.delete_through(iconn, moved_through)


register_feeder(Feeder("sync inbox", batches_waiting, move_batches))
