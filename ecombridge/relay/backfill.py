"""Backfill: a destination added to a portal that already holds data gets outbox rows for all
of it, a bounded chunk per transaction (the relay job files chunks before delivering).

The cursor is ``[index in DELIVERY_ORDER, last object id filed]``; None once everything is
filed. Progress is what was delivered of ``backfill_total``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.clock import now_ms
from ecombridge.relay import repository as repo
from ecombridge.relay import source_repository as source
from ecombridge.relay.definitions import DELIVERY_ORDER

CHUNK = 2_000


def start(conn: Connection, dest: Any) -> int:
    """Set the cursor at the beginning; returns how many objects the backfill covers."""
    repo.update_destination(conn, dest.id, backfill_cursor=[0, 0], backfill_filed=0)
    return source.object_count(conn, dest.portal_id, DELIVERY_ORDER, dest.store_ids)


def file_chunk(conn: Connection, dest: Any) -> int:
    """File the next chunk; returns how many rows were filed (0: the backfill is filed)."""
    index, after = dest.backfill_cursor
    now = now_ms()
    while index < len(DELIVERY_ORDER):
        object_type = DELIVERY_ORDER[index]
        found = source.object_page(conn, dest.portal_id, object_type, after, CHUNK, dest.store_ids)
        if found:
            rows = [
                {
                    "destination_id": dest.id,
                    "object_type": object_type,
                    "object_id": object_id,
                    "changed_at": updated_at,
                    "queued_at": now,
                }
                for object_id, updated_at in found
            ]
            repo.file_outbox(conn, rows)
            repo.update_destination(
                conn,
                dest.id,
                backfill_cursor=[index, found[-1][0]],
                backfill_filed=int(dest.backfill_filed) + len(found),
            )
            return len(found)
        index, after = index + 1, 0
    repo.update_destination(conn, dest.id, backfill_cursor=None)
    return 0
