"""Labels of the portal's deal pipelines and stages, keyed by the ids deals carry."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ecombridge.crm_schema.standard import ECOMMERCE_STAGES
from ecombridge.db.tables import pipeline_stages, pipelines


def stage_labels(conn: Connection, portal_id: int) -> dict[str, str]:
    """Stage id -> label over the portal's deal pipelines (the ecommerce stages before any)."""
    s = pipeline_stages.c
    query = (
        sa.select(s.id, s.label)
        .where(s.portal_id == portal_id)
        .order_by(s.pipeline_id, s.display_order)
    )
    found = {stage.id: stage.label for stage in ECOMMERCE_STAGES}
    found.update({row.id: row.label for row in conn.execute(query)})
    return found


def pipeline_labels(conn: Connection, portal_id: int) -> dict[str, str]:
    p = pipelines.c
    query = sa.select(p.id, p.label).where(p.portal_id == portal_id, p.object_type == "DEAL")
    return {row.id: row.label for row in conn.execute(query)}
