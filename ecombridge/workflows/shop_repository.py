"""The CRM data the workflows act on: deals, their contacts and line items, products, stores,
the portal; and the one write they make, a contact opting out. Every query goes through a
primary key or an index (by id lists), except the whole-portal reads of the daily
re-engagement scan (``orders_of_portal``, ``all_links``, ``all_deal_stores``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.tables import associations, crm_objects, portals, stores, sync_objects

a = associations.c
o = crm_objects.c


def objects(
    conn: Connection, portal_id: int, object_type: str, ids: Collection[int]
) -> dict[int, Any]:
    """id -> (id, properties, versions, created_at) of the live objects among ``ids``."""
    if not ids:
        return {}
    query = sa.select(o.id, o.properties, o.versions, o.created_at).where(
        o.portal_id == portal_id,
        o.object_type == object_type,
        o.id.in_(sorted(ids)),
        o.archived.is_(False),
    )
    return {int(row.id): row for row in conn.execute(query).all()}


def targets(
    conn: Connection, portal_id: int, from_type: str, from_ids: Collection[int], to_type: str
) -> dict[int, list[int]]:
    """from id -> the ids it is associated with (ascending), for ``from_ids``."""
    if not from_ids:
        return {}
    query = (
        sa.select(a.from_id, a.to_id)
        .where(
            a.portal_id == portal_id,
            a.from_type == from_type,
            a.from_id.in_(sorted(from_ids)),
            a.to_type == to_type,
        )
        .order_by(a.from_id, a.to_id)
    )
    found: dict[int, list[int]] = defaultdict(list)
    for from_id, to_id in conn.execute(query):
        found[int(from_id)].append(int(to_id))
    return found


def sources(
    conn: Connection, portal_id: int, from_type: str, to_type: str, to_ids: Collection[int]
) -> dict[int, list[int]]:
    """to id -> the ids of ``from_type`` associated with it (a contact's deals, a deal's line
    items), through the reverse index."""
    if not to_ids:
        return {}
    query = sa.select(a.to_id, a.from_id).where(
        a.portal_id == portal_id,
        a.to_type == to_type,
        a.to_id.in_(sorted(to_ids)),
        a.from_type == from_type,
    )
    found: dict[int, list[int]] = defaultdict(list)
    for to_id, from_id in conn.execute(query):
        found[int(to_id)].append(int(from_id))
    return found


def deal_stores(conn: Connection, portal_id: int, deal_ids: Collection[int]) -> dict[int, str]:
    """The store each deal was synced to (the first, when several)."""
    if not deal_ids:
        return {}
    s = sync_objects.c
    query = (
        sa.select(s.hubspot_id, s.store_id)
        .where(s.portal_id == portal_id, s.object_type == "DEAL", s.hubspot_id.in_(deal_ids))
        .order_by(s.hubspot_id, s.source_app_id, s.store_id)
    )
    found: dict[int, str] = {}
    for deal_id, store_id in conn.execute(query):
        found.setdefault(int(deal_id), str(store_id))
    return found


def store_label(conn: Connection, portal_id: int, store_id: str) -> str | None:
    query = (
        sa.select(stores.c.label)
        .where(stores.c.portal_id == portal_id, stores.c.id == store_id)
        .order_by(stores.c.source_app_id)
        .limit(1)
    )
    label = conn.execute(query).scalar_one_or_none()
    return None if label is None else str(label)


def portal(conn: Connection, portal_id: int) -> Any:
    query = sa.select(portals.c.name, portals.c.currency, portals.c.time_zone).where(
        portals.c.id == portal_id
    )
    return conn.execute(query).first()


def orders_of_portal(conn: Connection, portal_id: int, stages: Collection[str]) -> list[Row[Any]]:
    """Every live deal of the portal in ``stages``, with what dates its order: (id, closedate,
    createdate, created_at)."""
    props = o.properties
    query = sa.select(
        o.id,
        props["closedate"].as_string().label("closedate"),
        props["createdate"].as_string().label("createdate"),
        o.created_at,
    ).where(
        o.portal_id == portal_id,
        o.object_type == "DEAL",
        o.archived.is_(False),
        props["dealstage"].as_string().in_(sorted(stages)),
    )
    return list(conn.execute(query))


def recent_objects(
    conn: Connection, portal_id: int, object_type: str, limit: int, stage: str | None = None
) -> list[Row[Any]]:
    """The most recently updated objects of a type (for previews), optionally deals in a stage."""
    where = [o.portal_id == portal_id, o.object_type == object_type, o.archived.is_(False)]
    if stage is not None:
        where.append(o.properties["dealstage"].as_string() == stage)
    query = (
        sa.select(o.id, o.properties)
        .where(*where)
        .order_by(o.updated_at.desc(), o.id.desc())
        .limit(limit)
    )
    return list(conn.execute(query))


def all_links(conn: Connection, portal_id: int, from_type: str, to_type: str) -> dict[int, int]:
    """Every association of the portal from ``from_type`` to ``to_type``: from id -> its first
    target."""
    query = (
        sa.select(a.from_id, a.to_id)
        .where(a.portal_id == portal_id, a.from_type == from_type, a.to_type == to_type)
        .order_by(a.from_id, a.to_id.desc())
    )
    return {int(from_id): int(to_id) for from_id, to_id in conn.execute(query)}


def all_deal_stores(conn: Connection, portal_id: int) -> dict[int, str]:
    s = sync_objects.c
    query = (
        sa.select(s.hubspot_id, s.store_id)
        .where(s.portal_id == portal_id, s.object_type == "DEAL", s.hubspot_id.is_not(None))
        .order_by(s.hubspot_id, s.source_app_id.desc(), s.store_id.desc())
    )
    return {int(deal_id): str(store_id) for deal_id, store_id in conn.execute(query)}


def set_properties(
    conn: Connection,
    portal_id: int,
    object_type: str,
    object_id: int,
    properties: dict[str, Any],
    versions: dict[str, Any],
    now: int,
) -> None:
    conn.execute(
        crm_objects.update()
        .where(o.portal_id == portal_id, o.object_type == object_type, o.id == object_id)
        .values(properties=properties, versions=versions, updated_at=now)
    )


def store_ids(conn: Connection, portal_id: int) -> list[str]:
    """The ids of the portal's live stores (of every source)."""
    query = (
        sa.select(stores.c.id)
        .where(stores.c.portal_id == portal_id, stores.c.deleted_at.is_(None))
        .distinct()
        .order_by(stores.c.id)
    )
    return [str(s) for s in conn.execute(query).scalars()]
