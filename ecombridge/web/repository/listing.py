"""Object lists: filtered, sorted and paged in SQL (portals hold many thousands of deals)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.tables import crm_objects, sync_objects
from ecombridge.web.repository.objects import any_value_matches
from ecombridge.web.repository.sql import deal_time, prop_number, prop_text

Store = tuple[int, str]


@dataclass(frozen=True)
class ListQuery:
    object_type: str
    text: str = ""
    store: Store | None = None
    stages: tuple[str, ...] = ()
    start_ms: int | None = None  # the record's time (deals: their order time) from ...
    end_ms: int | None = None  # ... up to, not including
    sort: str = "updated"
    descending: bool = True
    limit: int = 25
    offset: int = 0


def in_store(object_type: str, store: Store) -> Any:
    """The object was synced from this store (through any of its links)."""
    o = sync_objects.c
    return sa.exists().where(
        o.portal_id == crm_objects.c.portal_id,
        o.object_type == object_type,
        o.hubspot_id == crm_objects.c.id,
        o.source_app_id == store[0],
        o.store_id == store[1],
    )


def record_time(dialect: str, object_type: str) -> Any:
    if object_type == "DEAL":
        return deal_time(dialect)
    return sa.func.coalesce(prop_number(dialect, "createdate"), crm_objects.c.created_at)


def sort_expression(dialect: str, key: str) -> Any:
    """The SQL value a list is sorted by; ``key`` is one the page offers (checked there)."""
    if key == "updated":
        return crm_objects.c.updated_at
    if key == "time":
        return deal_time(dialect)
    if key.startswith("n:"):
        return prop_number(dialect, key[2:])
    return sa.func.lower(prop_text(key[2:] if key.startswith("t:") else key))


def _where(conn: Connection, portal_id: int, query: ListQuery) -> list[Any]:
    dialect = conn.dialect.name
    where: list[Any] = [
        crm_objects.c.portal_id == portal_id,
        crm_objects.c.object_type == query.object_type,
        crm_objects.c.archived.is_(False),
    ]
    if query.text:
        where.append(any_value_matches(conn, query.text))
    if query.store is not None:
        where.append(in_store(query.object_type, query.store))
    if query.stages:
        where.append(prop_text("dealstage").in_(query.stages))
    if query.start_ms is not None or query.end_ms is not None:
        moment = record_time(dialect, query.object_type)
        if query.start_ms is not None:
            where.append(moment >= query.start_ms)
        if query.end_ms is not None:
            where.append(moment < query.end_ms)
    return where


def list_objects(conn: Connection, portal_id: int, query: ListQuery) -> tuple[list[Row[Any]], int]:
    """One page of objects and how many match in all."""
    where = _where(conn, portal_id, query)
    total = conn.execute(sa.select(sa.func.count()).select_from(crm_objects).where(*where))
    key = sort_expression(conn.dialect.name, query.sort)
    direction = key.desc() if query.descending else key.asc()
    tie = crm_objects.c.id.desc() if query.descending else crm_objects.c.id.asc()
    rows = conn.execute(
        sa.select(
            crm_objects.c.object_type,
            crm_objects.c.id,
            crm_objects.c.properties,
            crm_objects.c.updated_at,
        )
        .where(*where)
        .order_by(key.is_(None), direction, tie)  # empty values last either way
        .limit(query.limit)
        .offset(query.offset)
    )
    return cast("list[Row[Any]]", rows.all()), int(total.scalar_one())
