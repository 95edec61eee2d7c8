"""SQL over sync_objects and sync_errors for status and error listings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db import tables as t

e = t.sync_errors.c


@dataclass(frozen=True)
class ObjectKey:
    portal_id: int
    source_app_id: int
    store_id: str
    object_type: str
    external_id: str


@dataclass(frozen=True)
class ErrorQuery:
    """Which errors a listing shows. ``None`` for portal or app means "any"."""

    portal_id: int | None
    source_app_id: int | None
    object_type: str | None
    error_type: str | None
    include_resolved: bool
    offset: int
    limit: int


def _row_of(conn: Connection, table: sa.Table, key: ObjectKey) -> Row[Any] | None:
    """The row of one object in a table keyed like sync_objects and sync_errors."""
    c = table.c
    return conn.execute(
        sa.select(table).where(
            c.portal_id == key.portal_id,
            c.source_app_id == key.source_app_id,
            c.store_id == key.store_id,
            c.object_type == key.object_type,
            c.external_id == key.external_id,
        )
    ).first()


def get_sync_object(conn: Connection, key: ObjectKey) -> Row[Any] | None:
    return _row_of(conn, t.sync_objects, key)


def get_error(conn: Connection, key: ObjectKey) -> Row[Any] | None:
    return _row_of(conn, t.sync_errors, key)


def list_errors(conn: Connection, query: ErrorQuery) -> list[Row[Any]]:
    """One page of errors, newest first, plus one row more when more remain."""
    stmt = sa.select(t.sync_errors)
    if query.portal_id is not None:
        stmt = stmt.where(e.portal_id == query.portal_id)
    if query.source_app_id is not None:
        stmt = stmt.where(e.source_app_id == query.source_app_id)
    if query.object_type is not None:
        stmt = stmt.where(e.object_type == query.object_type)
    if query.error_type is not None:
        stmt = stmt.where(e.type == query.error_type)
    if not query.include_resolved:
        stmt = stmt.where(e.status == "OPEN")
    # The key columns break ties between errors of the same millisecond, so pages are stable.
    stmt = stmt.order_by(
        e.errored_at.desc(),
        e.portal_id,
        e.source_app_id,
        e.store_id,
        e.object_type,
        e.external_id,
    )
    return list(conn.execute(stmt.offset(query.offset).limit(query.limit + 1)).all())
