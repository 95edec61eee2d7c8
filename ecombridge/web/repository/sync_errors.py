"""The portal's sync errors, filtered and paged, linked to the objects they concern."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.tables import sync_errors, sync_objects


@dataclass(frozen=True)
class ErrorFilters:
    error_type: str | None = None
    object_type: str | None = None
    app_id: int | None = None
    store_id: str | None = None
    status: str | None = None


def _where(portal_id: int, filters: ErrorFilters) -> list[Any]:
    e = sync_errors.c
    where: list[Any] = [e.portal_id == portal_id]
    if filters.error_type:
        where.append(e.type == filters.error_type)
    if filters.object_type:
        where.append(e.object_type == filters.object_type)
    if filters.app_id is not None:
        where.append(e.source_app_id == filters.app_id)
    if filters.store_id is not None:
        where.append(e.store_id == filters.store_id)
    if filters.status:
        where.append(e.status == filters.status)
    return where


def list_errors(
    conn: Connection, portal_id: int, filters: ErrorFilters, limit: int, offset: int
) -> tuple[list[Row[Any]], int]:
    e, o = sync_errors.c, sync_objects.c
    where = _where(portal_id, filters)
    total = conn.execute(sa.select(sa.func.count()).select_from(sync_errors).where(*where))
    link = sa.and_(
        o.portal_id == e.portal_id,
        o.source_app_id == e.source_app_id,
        o.store_id == e.store_id,
        o.object_type == e.object_type,
        o.external_id == e.external_id,
    )
    query = (
        sa.select(sync_errors, o.hubspot_id)
        .select_from(sync_errors.outerjoin(sync_objects, link))
        .where(*where)
        .order_by(e.errored_at.desc(), e.object_type, e.external_id)
        .limit(limit)
        .offset(offset)
    )
    return list(conn.execute(query)), int(total.scalar_one())


def error_stores(conn: Connection, portal_id: int) -> list[tuple[int, str]]:
    """(source app, store) pairs that have errors, for the store filter."""
    e = sync_errors.c
    query = (
        sa.select(e.source_app_id, e.store_id)
        .where(e.portal_id == portal_id)
        .group_by(e.source_app_id, e.store_id)
        .order_by(e.source_app_id, e.store_id)
    )
    return [(int(row[0]), row[1]) for row in conn.execute(query)]


def type_counts(conn: Connection, portal_id: int, filters: ErrorFilters) -> list[tuple[str, int]]:
    """How many errors of each type match the other filters, most first."""
    e = sync_errors.c
    where = _where(portal_id, replace(filters, error_type=None))
    count = sa.func.count().label("n")
    query = sa.select(e.type, count).where(*where).group_by(e.type).order_by(count.desc(), e.type)
    return [(row.type, int(row.n)) for row in conn.execute(query)]
