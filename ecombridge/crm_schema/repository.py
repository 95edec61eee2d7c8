"""All SQL for the portal's CRM properties and pipelines."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.dialect import insert_for
from ecombridge.db.tables import crm_properties, pipeline_stages, pipelines


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


def insert_pipeline_if_missing(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert_for(conn, pipelines).values(row).on_conflict_do_nothing())


def insert_stages_if_missing(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert_for(conn, pipeline_stages).values(rows).on_conflict_do_nothing())


def list_pipelines(
    conn: Connection, portal_id: int, object_type: str, pipeline_id: str | None = None
) -> list[Row[Any]]:
    c = pipelines.c
    query = sa.select(pipelines).where(c.portal_id == portal_id, c.object_type == object_type)
    if pipeline_id is not None:
        query = query.where(c.id == pipeline_id)
    return list(conn.execute(query.order_by(c.display_order, c.created_at)))


def list_stages(conn: Connection, portal_id: int, pipeline_ids: list[str]) -> list[Row[Any]]:
    c = pipeline_stages.c
    query = (
        sa.select(pipeline_stages)
        .where(c.portal_id == portal_id, c.pipeline_id.in_(pipeline_ids))
        .order_by(c.pipeline_id, c.display_order)
    )
    return list(conn.execute(query))
