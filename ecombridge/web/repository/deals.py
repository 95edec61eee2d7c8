"""Deals and line items as the pipeline board and the reports need them: a few properties each,
extracted in SQL so whole property documents are not shipped around."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.tables import associations, crm_objects, pipeline_stages, sync_objects
from ecombridge.web.display import CURRENCY_PROPERTY
from ecombridge.web.repository.listing import in_store

Store = tuple[int, str]


def _prop(name: str) -> Any:
    return crm_objects.c.properties[name].as_string().label(name)


def deals(conn: Connection, portal_id: int, store: Store | None = None) -> list[Row[Any]]:
    """Every live deal: id, name, stage, amount, close and create dates, newest first."""
    where = [
        crm_objects.c.portal_id == portal_id,
        crm_objects.c.object_type == "DEAL",
        crm_objects.c.archived.is_(False),
    ]
    if store is not None:
        where.append(in_store("DEAL", store))
    query = (
        sa.select(
            crm_objects.c.id,
            crm_objects.c.created_at,
            _prop("dealname"),
            _prop("dealstage"),
            _prop("amount"),
            _prop("closedate"),
            _prop("createdate"),
            _prop(CURRENCY_PROPERTY["DEAL"]).label("currency"),
        )
        .where(*where)
        .order_by(crm_objects.c.updated_at.desc(), crm_objects.c.id.desc())
    )
    return list(conn.execute(query))


def deal_stores(conn: Connection, portal_id: int) -> dict[int, Store]:
    """The store each deal was synced from (the first, when several)."""
    o = sync_objects.c
    query = (
        sa.select(o.hubspot_id, o.source_app_id, o.store_id)
        .where(o.portal_id == portal_id, o.object_type == "DEAL", o.hubspot_id.is_not(None))
        .order_by(o.source_app_id, o.store_id)
    )
    found: dict[int, Store] = {}
    for row in conn.execute(query):
        found.setdefault(int(row.hubspot_id), (int(row.source_app_id), row.store_id))
    return found


def links(conn: Connection, portal_id: int, from_type: str, to_type: str) -> list[tuple[int, int]]:
    a = associations.c
    query = sa.select(a.from_id, a.to_id).where(
        a.portal_id == portal_id, a.from_type == from_type, a.to_type == to_type
    )
    return [(int(row[0]), int(row[1])) for row in conn.execute(query)]


def line_items(conn: Connection, portal_id: int) -> list[Row[Any]]:
    query = sa.select(
        crm_objects.c.id, _prop("name"), _prop("quantity"), _prop("price"), _prop("amount")
    ).where(
        crm_objects.c.portal_id == portal_id,
        crm_objects.c.object_type == "LINE_ITEM",
        crm_objects.c.archived.is_(False),
    )
    return list(conn.execute(query))


def product_names(conn: Connection, portal_id: int) -> dict[int, str]:
    query = sa.select(crm_objects.c.id, _prop("name")).where(
        crm_objects.c.portal_id == portal_id, crm_objects.c.object_type == "PRODUCT"
    )
    return {int(row.id): row.name or f"Product {row.id}" for row in conn.execute(query)}


def stages(conn: Connection, portal_id: int, pipeline_id: str) -> list[Row[Any]]:
    s = pipeline_stages.c
    query = (
        sa.select(s.id, s.label, s.probability, s.is_closed)
        .where(s.portal_id == portal_id, s.pipeline_id == pipeline_id)
        .order_by(s.display_order, s.id)
    )
    return list(conn.execute(query))
