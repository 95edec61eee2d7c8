"""All SQL for deal pipelines and their stages."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.dialect import insert_for
from ecombridge.db.tables import crm_objects, pipeline_stages, pipelines

p, st = pipelines.c, pipeline_stages.c


def insert_pipeline_if_missing(conn: Connection, row: dict[str, Any]) -> bool:
    """Insert a pipeline; False when its id is taken."""
    statement = insert_for(conn, pipelines).values(row).on_conflict_do_nothing().returning(p.id)
    return conn.execute(statement).first() is not None


def insert_stages_if_missing(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert_for(conn, pipeline_stages).values(rows).on_conflict_do_nothing())


def list_pipelines(
    conn: Connection, portal_id: int, object_type: str, pipeline_id: str | None = None
) -> list[Row[Any]]:
    query = sa.select(pipelines).where(p.portal_id == portal_id, p.object_type == object_type)
    if pipeline_id is not None:
        query = query.where(p.id == pipeline_id)
    return list(conn.execute(query.order_by(p.display_order, p.created_at, p.id)))


def list_stages(conn: Connection, portal_id: int, pipeline_ids: list[str]) -> list[Row[Any]]:
    query = (
        sa.select(pipeline_stages)
        .where(st.portal_id == portal_id, st.pipeline_id.in_(pipeline_ids))
        .order_by(st.pipeline_id, st.display_order, st.created_at, st.id)
    )
    return list(conn.execute(query))


def stage_ids(conn: Connection, portal_id: int, pipeline_id: str) -> frozenset[str]:
    query = sa.select(st.id).where(st.portal_id == portal_id, st.pipeline_id == pipeline_id)
    return frozenset(conn.execute(query).scalars())


def stages_named(conn: Connection, portal_id: int, ids: list[str]) -> list[Row[Any]]:
    """The portal's stages with these ids, in any pipeline (stage ids are unique per portal)."""
    if not ids:
        return []
    query = sa.select(st.pipeline_id, st.id).where(st.portal_id == portal_id, st.id.in_(ids))
    return list(conn.execute(query))


def update_pipeline(
    conn: Connection, portal_id: int, pipeline_id: str, values: dict[str, Any]
) -> None:
    conn.execute(
        sa.update(pipelines).where(p.portal_id == portal_id, p.id == pipeline_id).values(values)
    )


def delete_pipeline(conn: Connection, portal_id: int, pipeline_id: str) -> None:
    conn.execute(
        sa.delete(pipeline_stages).where(st.portal_id == portal_id, st.pipeline_id == pipeline_id)
    )
    conn.execute(sa.delete(pipelines).where(p.portal_id == portal_id, p.id == pipeline_id))


def update_stage(
    conn: Connection, portal_id: int, pipeline_id: str, stage_id: str, values: dict[str, Any]
) -> None:
    conn.execute(
        sa.update(pipeline_stages)
        .where(st.portal_id == portal_id, st.pipeline_id == pipeline_id, st.id == stage_id)
        .values(values)
    )


def delete_stages(conn: Connection, portal_id: int, pipeline_id: str, ids: list[str]) -> None:
    if ids:
        conn.execute(
            sa.delete(pipeline_stages).where(
                st.portal_id == portal_id, st.pipeline_id == pipeline_id, st.id.in_(ids)
            )
        )


def count_deals(conn: Connection, portal_id: int, pipeline_id: str, stages: list[str]) -> int:
    """Deals of the portal in ``pipeline_id`` at one of ``stages`` (archived ones too)."""
    o = crm_objects.c
    query = sa.select(sa.func.count()).where(
        o.portal_id == portal_id,
        o.object_type == "DEAL",
        o.properties["pipeline"].as_string() == pipeline_id,
        o.properties["dealstage"].as_string().in_(stages),
    )
    return int(conn.execute(query).scalar_one())
