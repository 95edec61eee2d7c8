"""SQL over the portal's own data the relay reads: the objects it delivers, their sync links
(external ids, tombstones) and associations, and the pages a backfill files."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.tables import associations, crm_objects, sync_objects

c = crm_objects.c
s = sync_objects.c


def objects(
    conn: Connection, portal_id: int, object_type: str, object_ids: Collection[int]
) -> dict[int, Any]:
    query = sa.select(c.id, c.properties, c.archived).where(
        c.portal_id == portal_id, c.object_type == object_type, c.id.in_(sorted(object_ids))
    )
    return {int(row.id): row for row in conn.execute(query)}


def sync_links(
    conn: Connection, portal_id: int, object_type: str, object_ids: Collection[int]
) -> list[Row[Any]]:
    """The sync links (app, store, external id, tombstone) of these objects, oldest first."""
    query = (
        sa.select(s.hubspot_id, s.source_app_id, s.store_id, s.external_id, s.deleted_at)
        .where(
            s.portal_id == portal_id,
            s.object_type == object_type,
            s.hubspot_id.in_(sorted(object_ids)),
        )
        .order_by(s.hubspot_id, s.created_at, s.source_app_id, s.store_id, s.external_id)
    )
    return list(conn.execute(query))


def object_page(
    conn: Connection,
    portal_id: int,
    object_type: str,
    after_id: int,
    limit: int,
    store_ids: list[str] | None,
) -> list[tuple[int, int]]:
    """(id, updated_at) of the portal's objects of a type after ``after_id`` (the backfill),
    only those synced from ``store_ids`` when given."""
    query = (
        sa.select(c.id, c.updated_at)
        .where(
            c.portal_id == portal_id,
            c.object_type == object_type,
            c.id > after_id,
            c.archived.is_(False),
        )
        .order_by(c.id)
        .limit(limit)
    )
    if store_ids is not None:
        linked = sa.select(s.hubspot_id).where(
            s.portal_id == portal_id,
            s.object_type == object_type,
            s.store_id.in_(store_ids),
            s.hubspot_id == c.id,
        )
        query = query.where(linked.exists())
    return [(int(i), int(u)) for i, u in conn.execute(query)]


def object_count(
    conn: Connection, portal_id: int, object_types: Sequence[str], store_ids: list[str] | None
) -> int:
    total = 0
    for object_type in object_types:
        query = sa.select(sa.func.count()).where(
            c.portal_id == portal_id, c.object_type == object_type, c.archived.is_(False)
        )
        if store_ids is not None:
            linked = sa.select(s.hubspot_id).where(
                s.portal_id == portal_id,
                s.object_type == object_type,
                s.store_id.in_(store_ids),
                s.hubspot_id == c.id,
            )
            query = query.where(linked.exists())
        total += int(conn.execute(query).scalar_one())
    return total


def associations_from(
    conn: Connection, portal_id: int, from_type: str, to_type: str, from_ids: Collection[int]
) -> list[tuple[int, int]]:
    """(from id, to id) of the ``from_type`` → ``to_type`` pairs starting at ``from_ids``."""
    return _pairs(conn, portal_id, from_type, to_type, associations.c.from_id, from_ids)


def associations_to(
    conn: Connection, portal_id: int, from_type: str, to_type: str, to_ids: Collection[int]
) -> list[tuple[int, int]]:
    """(from id, to id) of the ``from_type`` → ``to_type`` pairs ending at ``to_ids``."""
    return _pairs(conn, portal_id, from_type, to_type, associations.c.to_id, to_ids)


def _pairs(
    conn: Connection,
    portal_id: int,
    from_type: str,
    to_type: str,
    side: sa.ColumnElement[Any],
    ids: Collection[int],
) -> list[tuple[int, int]]:
    a = associations.c
    query = (
        sa.select(a.from_id, a.to_id)
        .where(
            a.portal_id == portal_id,
            a.from_type == from_type,
            a.to_type == to_type,
            side.in_(sorted(ids)),
        )
        .order_by(a.from_id, a.to_id)
    )
    return [(int(f), int(t)) for f, t in conn.execute(query)]
