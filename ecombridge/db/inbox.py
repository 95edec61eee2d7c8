"""The intake's inbox on SQLite: a second database file beside the main one (``<file>-inbox``).

SQLite lets one transaction at a time write a database file. With accepted batches filed in the
main file, every intake commit waited for the apply transaction in progress, so workers cut
their work into transactions of a few milliseconds to keep accept latency low, and each of those
paid a commit (an fsync) for a few hundred messages. In a file of its own the intake commits,
fsynced, without waiting for the apply, and workers apply thousands of messages per transaction.

Workers move batches from the inbox into the main database's queue (``sync_batches`` and a
``SYNC_BATCH`` job, ``ecombridge.sync.inbox_mover``) in their claim transaction. The main database
keeps how far it has moved from this inbox (``inbox_cursors``, keyed by the inbox's random
identity, so a new inbox file starts from zero), so a batch is moved exactly once even if a
process stops between the move and the inbox's clean-up. Ids are ``AUTOINCREMENT``: never
reused, even once every row has been deleted.

The inbox holds only batches in transit; its schema is created when it is first opened (it is
not part of the main database's migrations). PostgreSQL has no single writer: there, and for
in-memory SQLite databases, there is no inbox and the intake files batches straight into the
main database's queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ecombridge.db.engine import Database
from ecombridge.db.tables import inbox_cursors

metadata = sa.MetaData()

inbox_batches = sa.Table(
    "inbox_batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("portal_id", sa.BigInteger, nullable=False),
    sa.Column("source_app_id", sa.BigInteger, nullable=False),
    sa.Column("store_id", sa.String(100), nullable=False),
    sa.Column("object_type", sa.String(16), nullable=False),
    sa.Column("message_count", sa.Integer, nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("received_at", sa.BigInteger, nullable=False),
    sqlite_autoincrement=True,
)

inbox_identity = sa.Table(
    "inbox_identity",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
)

BATCH_COLUMNS = tuple(c.name for c in inbox_batches.columns if c.name != "id")


def inbox_path(main_database: str | None) -> Path | None:
    """Where the inbox of a SQLite database file lives; None for in-memory databases."""
    if not main_database or main_database == ":memory:" or main_database.startswith("file:"):
        return None
    return Path(f"{main_database}-inbox")


def create_schema(conn: Connection) -> str:
    """In a write transaction of a new or existing inbox: its tables and identity."""
    metadata.create_all(conn)
    identity = conn.execute(sa.select(inbox_identity.c.id)).scalar()
    if identity is None:
        identity = str(uuid.uuid4())
        conn.execute(inbox_identity.insert().values(id=identity))
    return str(identity)


def insert_batches(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """rows: BATCH_COLUMNS."""
    if not rows:
        return
    statement = inbox_batches.insert().values({c: sa.bindparam(c) for c in BATCH_COLUMNS})
    conn.execute(statement, [dict(zip(BATCH_COLUMNS, row, strict=True)) for row in rows])


def batches_after(conn: Connection, after_id: int, limit: int) -> Sequence[Any]:
    """The oldest batches with an id above ``after_id``, in id order."""
    b = inbox_batches.c
    query = sa.select(inbox_batches).where(b.id > after_id).order_by(b.id).limit(limit)
    return conn.execute(query).all()


def delete_through(conn: Connection, through_id: int) -> None:
    conn.execute(inbox_batches.delete().where(inbox_batches.c.id <= through_id))


def newest_id(conn: Connection) -> int:
    """The id of the newest batch in the inbox (0 when it is empty)."""
    return int(conn.execute(sa.select(sa.func.max(inbox_batches.c.id))).scalar() or 0)


def waiting(db: Database) -> tuple[int, int | None]:
    """Batches accepted into ``db``'s inbox and not yet moved into its queue, and when the
    oldest of them was received: (0, None) when there are none, or no inbox."""
    inbox = db.inbox
    if inbox is None:
        return 0, None
    with db.read() as conn:
        cursor = inbox_cursors.c
        query = sa.select(cursor.moved_through).where(cursor.inbox_id == inbox.identity)
        moved_through = int(conn.execute(query).scalar() or 0)
    b = inbox_batches.c
    with inbox.database.read() as iconn:
        count, oldest = iconn.execute(
            sa.select(sa.func.count(), sa.func.min(b.received_at)).where(b.id > moved_through)
        ).one()
    return int(count), None if oldest is None else int(oldest)


def waiting_by_portal(db: Database) -> dict[int, int]:
    """Batches in ``db``'s inbox not yet moved into its queue, per portal (none: no inbox)."""
    inbox = db.inbox
    if inbox is None:
        return {}
    with db.read() as conn:
        cursor = inbox_cursors.c
        query = sa.select(cursor.moved_through).where(cursor.inbox_id == inbox.identity)
        moved_through = int(conn.execute(query).scalar() or 0)
    b = inbox_batches.c
    with inbox.database.read() as iconn:
        rows = iconn.execute(
            sa.select(b.portal_id, sa.func.count())
            .where(b.id > moved_through)
            .group_by(b.portal_id)
        )
        return {int(portal_id): int(count) for portal_id, count in rows}
