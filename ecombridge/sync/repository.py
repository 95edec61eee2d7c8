"""All SQL on the accepted-batch inbox, ``sync_batches``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.dialect import insert_for
from ecombridge.db.tables import inbox_cursors, jobs, sync_batches, sync_errors
from ecombridge.sync.messages import BatchContext


def insert_batch(
    conn: Connection, ctx: BatchContext, message_count: int, payload: bytes, received_at: int
) -> int:
    batch_id = conn.execute(
        sync_batches.insert()
        .values(
            portal_id=ctx.portal_id,
            source_app_id=ctx.source_app_id,
            store_id=ctx.store_id,
            object_type=ctx.object_type,
            message_count=message_count,
            payload=payload,
            received_at=received_at,
        )
        .returning(sync_batches.c.id)
    ).scalar_one()
    return int(batch_id)


def insert_batches_in_order(conn: Connection, rows: Sequence[Any]) -> list[int]:
    """SQLite, in a write transaction: insert batches (rows with the columns of
    ``sync_batches`` but ``id``) under consecutive new ids, in one statement; returns the ids.
    (The write lock makes ``max(id) + 1`` safe; RETURNING cannot be used with executemany.)"""
    if not rows:
        return []
    first = int(conn.execute(sa.select(sa.func.max(sync_batches.c.id))).scalar() or 0) + 1
    ids = list(range(first, first + len(rows)))
    columns = [c.name for c in sync_batches.columns if c.name != "id"]
    conn.execute(
        sync_batches.insert(),
        [
            {"id": batch_id, **{c: getattr(row, c) for c in columns}}
            for batch_id, row in zip(ids, rows, strict=True)
        ],
    )
    return ids


def get_batch(conn: Connection, batch_id: int) -> Row[Any] | None:
    return conn.execute(sa.select(sync_batches).where(sync_batches.c.id == batch_id)).first()


def get_batches(conn: Connection, batch_ids: list[int]) -> Sequence[Row[Any]]:
    """The batches, in id (arrival) order."""
    return conn.execute(
        sa.select(sync_batches).where(sync_batches.c.id.in_(batch_ids)).order_by(sync_batches.c.id)
    ).all()


def delete_batches(conn: Connection, batch_ids: list[int]) -> None:
    conn.execute(sync_batches.delete().where(sync_batches.c.id.in_(batch_ids)))


def inbox_cursor(conn: Connection, inbox_id: str) -> int:
    """How far batches of the inbox ``inbox_id`` were moved into the queue (0: none yet)."""
    query = sa.select(inbox_cursors.c.moved_through).where(inbox_cursors.c.inbox_id == inbox_id)
    return int(conn.execute(query).scalar() or 0)


def set_inbox_cursor(conn: Connection, inbox_id: str, moved_through: int) -> None:
    statement = insert_for(conn, inbox_cursors).values(
        inbox_id=inbox_id, moved_through=moved_through
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["inbox_id"], set_={"moved_through": moved_through}
        )
    )


def resolve_parked_errors(
    conn: Connection, ctx: BatchContext, external_ids: set[str], details_prefix: str
) -> None:
    """RESOLVED: the OPEN errors of these objects that parking their batch recorded."""
    e = sync_errors.c
    conn.execute(
        sync_errors.update()
        .where(
            e.portal_id == ctx.portal_id,
            e.source_app_id == ctx.source_app_id,
            e.store_id == ctx.store_id,
            e.object_type == ctx.object_type,
            e.external_id.in_(sorted(external_ids)),
            e.status == "OPEN",
            e.type == "UNKNOWN_ERROR",
            e.details.startswith(details_prefix, autoescape=True),
        )
        .values(status="RESOLVED")
    )


def queued_batches_by_portal(conn: Connection) -> dict[int, int]:
    """Sync batches in the queue not yet applied (queued or running), per portal."""
    rows = conn.execute(
        sa.select(jobs.c.portal_id, sa.func.count())
        .where(jobs.c.kind == "SYNC_BATCH", jobs.c.status.in_(("QUEUED", "RUNNING")))
        .group_by(jobs.c.portal_id)
    )
    return {int(portal_id): int(count) for portal_id, count in rows}
