"""All SQL for stores."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.dialect import insert_for
from ecombridge.db.tables import stores

c = stores.c


def _owned(portal_id: int, source_app_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(c.portal_id == portal_id, c.source_app_id == source_app_id)


def get_row(conn: Connection, portal_id: int, source_app_id: int, store_id: str) -> Row[Any] | None:
    query = sa.select(stores).where(_owned(portal_id, source_app_id), c.id == store_id)
    return conn.execute(query).first()


def find_alias(
    conn: Connection, portal_id: int, source_app_id: int, alias_id: str
) -> Row[Any] | None:
    """The store that ``alias_id`` was made an alias of (the replaced default)."""
    query = sa.select(stores).where(_owned(portal_id, source_app_id), c.alias_id == alias_id)
    return conn.execute(query).first()


def list_live(conn: Connection, portal_id: int, source_app_id: int) -> list[Row[Any]]:
    query = (
        sa.select(stores)
        .where(_owned(portal_id, source_app_id), c.deleted_at.is_(None))
        .order_by(c.created_at, c.id)
    )
    return list(conn.execute(query))


def upsert(
    conn: Connection,
    portal_id: int,
    source_app_id: int,
    store_id: str,
    *,
    alias_id: str | None,
    label: str,
    admin_uri: str | None,
    now: int,
) -> None:
    """Create or redefine a store; a deleted one comes back with its data."""
    changes = {
        "alias_id": alias_id,
        "label": label,
        "admin_uri": admin_uri,
        "updated_at": now,
        "deleted_at": None,
    }
    statement = (
        insert_for(conn, stores)
        .values(
            portal_id=portal_id, source_app_id=source_app_id, id=store_id, created_at=now, **changes
        )
        .on_conflict_do_update(index_elements=["portal_id", "source_app_id", "id"], set_=changes)
    )
    conn.execute(statement)


def insert_if_missing(
    conn: Connection,
    portal_id: int,
    source_app_id: int,
    store_id: str,
    *,
    label: str,
    admin_uri: str | None,
    now: int,
    deleted_at: int | None = None,
) -> None:
    statement = (
        insert_for(conn, stores)
        .values(
            portal_id=portal_id,
            source_app_id=source_app_id,
            id=store_id,
            label=label,
            admin_uri=admin_uri,
            created_at=now,
            updated_at=now,
            deleted_at=deleted_at,
        )
        .on_conflict_do_nothing()
    )
    conn.execute(statement)


def mark_deleted(
    conn: Connection, portal_id: int, source_app_id: int, store_id: str, now: int
) -> None:
    conn.execute(
        sa.update(stores)
        .where(_owned(portal_id, source_app_id), c.id == store_id)
        .values(deleted_at=now, updated_at=now)
    )
