"""All SQL for sync settings."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.dialect import insert_for
from ecombridge.db.tables import sync_settings

c = sync_settings.c


def get(conn: Connection, portal_id: int, app_id: int) -> Row[Any] | None:
    query = sa.select(sync_settings).where(c.portal_id == portal_id, c.app_id == app_id)
    return conn.execute(query).first()


def upsert(conn: Connection, portal_id: int, app_id: int, **values: Any) -> None:
    statement = (
        insert_for(conn, sync_settings)
        .values(portal_id=portal_id, app_id=app_id, **values)
        .on_conflict_do_update(index_elements=["portal_id", "app_id"], set_=values)
    )
    conn.execute(statement)


def delete(conn: Connection, portal_id: int, app_id: int) -> None:
    conn.execute(sa.delete(sync_settings).where(c.portal_id == portal_id, c.app_id == app_id))
