"""All SQL for the portal's CRM properties and pipelines."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.dialect import insert_for
from ecombridge.db.tables import crm_properties, crm_property_groups


def insert_properties_if_missing(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert_for(conn, crm_properties).values(rows).on_conflict_do_nothing())


def insert_property(conn: Connection, row: dict[str, Any]) -> bool:
    """Insert one property; False when the name is already taken."""
    statement = (
        insert_for(conn, crm_properties)
        .values(row)
        .on_conflict_do_nothing()
        .returning(crm_properties.c.name)
    )
    return conn.execute(statement).first() is not None


def list_properties(conn: Connection, portal_id: int, object_type: str) -> list[Row[Any]]:
    c = crm_properties.c
    query = (
        sa.select(crm_properties)
        .where(c.portal_id == portal_id, c.object_type == object_type)
        .order_by(c.created_at, c.name)
    )
    return list(conn.execute(query))


def get_property(conn: Connection, portal_id: int, object_type: str, name: str) -> Row[Any] | None:
    c = crm_properties.c
    query = sa.select(crm_properties).where(
        c.portal_id == portal_id, c.object_type == object_type, c.name == name
    )
    return conn.execute(query).first()


def update_property(
    conn: Connection, portal_id: int, object_type: str, name: str, changes: dict[str, Any]
) -> None:
    c = crm_properties.c
    conn.execute(
        sa.update(crm_properties)
        .where(c.portal_id == portal_id, c.object_type == object_type, c.name == name)
        .values(**changes)
    )


def delete_property(conn: Connection, portal_id: int, object_type: str, name: str) -> None:
    c = crm_properties.c
    conn.execute(
        sa.delete(crm_properties).where(
            c.portal_id == portal_id, c.object_type == object_type, c.name == name
        )
    )


def count_properties_in_group(
    conn: Connection, portal_id: int, object_type: str, group: str
) -> int:
    c = crm_properties.c
    query = sa.select(sa.func.count()).where(
        c.portal_id == portal_id, c.object_type == object_type, c.group_name == group
    )
    return int(conn.execute(query).scalar_one())


# Groups

g = crm_property_groups.c


def insert_groups_if_missing(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert_for(conn, crm_property_groups).values(rows).on_conflict_do_nothing())


def insert_group(conn: Connection, row: dict[str, Any]) -> bool:
    """Insert one group; False when the name is already taken."""
    statement = (
        insert_for(conn, crm_property_groups).values(row).on_conflict_do_nothing().returning(g.name)
    )
    return conn.execute(statement).first() is not None


def list_groups(conn: Connection, portal_id: int, object_type: str) -> list[Row[Any]]:
    query = (
        sa.select(crm_property_groups)
        .where(g.portal_id == portal_id, g.object_type == object_type)
        .order_by(g.display_order, g.name)
    )
    return list(conn.execute(query))


def get_group(conn: Connection, portal_id: int, object_type: str, name: str) -> Row[Any] | None:
    query = sa.select(crm_property_groups).where(
        g.portal_id == portal_id, g.object_type == object_type, g.name == name
    )
    return conn.execute(query).first()


def update_group(
    conn: Connection, portal_id: int, object_type: str, name: str, changes: dict[str, Any]
) -> None:
    conn.execute(
        sa.update(crm_property_groups)
        .where(g.portal_id == portal_id, g.object_type == object_type, g.name == name)
        .values(**changes)
    )


def delete_group(conn: Connection, portal_id: int, object_type: str, name: str) -> None:
    conn.execute(
        sa.delete(crm_property_groups).where(
            g.portal_id == portal_id, g.object_type == object_type, g.name == name
        )
    )
