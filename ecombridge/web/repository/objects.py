"""CRM objects: search, one object, its associations, the sync links that file it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.tables import (
    associations,
    crm_objects,
    pending_associations,
    sync_errors,
    sync_objects,
)


def any_value_matches(conn: Connection, text: str) -> Any:
    """Some property value contains ``text`` (case-insensitive; % and _ match literally).

    Values are searched, not the JSON text: property names do not match, and non-ASCII
    characters (escaped in SQLite's JSON text) do.
    """
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if conn.dialect.name == "postgresql":
        each = sa.func.jsonb_each_text(crm_objects.c.properties).table_valued("key", "value")
    else:
        each = sa.func.json_each(crm_objects.c.properties).table_valued("key", "value")
    value = sa.cast(each.c.value, sa.Text)
    return sa.exists().select_from(each).where(value.ilike(f"%{escaped}%", escape="\\"))


def get_object(
    conn: Connection, portal_id: int, object_type: str, object_id: int
) -> Row[Any] | None:
    query = sa.select(crm_objects).where(
        crm_objects.c.portal_id == portal_id,
        crm_objects.c.object_type == object_type,
        crm_objects.c.id == object_id,
    )
    return conn.execute(query).first()


def objects_by_ids(
    conn: Connection, portal_id: int, keys: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], dict[str, Any]]:
    """Properties of several objects at once, keyed by (type, id)."""
    wanted = list(keys)
    if not wanted:
        return {}
    query = sa.select(crm_objects.c.object_type, crm_objects.c.id, crm_objects.c.properties).where(
        crm_objects.c.portal_id == portal_id,
        crm_objects.c.id.in_({object_id for _, object_id in wanted}),
    )
    return {(row.object_type, int(row.id)): row.properties for row in conn.execute(query)}


def associated(
    conn: Connection, portal_id: int, object_type: str, object_id: int
) -> list[tuple[str, int]]:
    """(type, id) of every object linked to this one, in either direction."""
    outgoing = sa.select(associations.c.to_type, associations.c.to_id).where(
        associations.c.portal_id == portal_id,
        associations.c.from_type == object_type,
        associations.c.from_id == object_id,
    )
    incoming = sa.select(associations.c.from_type, associations.c.from_id).where(
        associations.c.portal_id == portal_id,
        associations.c.to_type == object_type,
        associations.c.to_id == object_id,
    )
    rows = list(conn.execute(outgoing)) + list(conn.execute(incoming))
    return [(row[0], int(row[1])) for row in rows]


def sync_links(
    conn: Connection, portal_id: int, object_type: str, object_id: int
) -> list[Row[Any]]:
    query = (
        sa.select(sync_objects)
        .where(
            sync_objects.c.portal_id == portal_id,
            sync_objects.c.object_type == object_type,
            sync_objects.c.hubspot_id == object_id,
        )
        .order_by(sync_objects.c.source_app_id, sync_objects.c.store_id)
    )
    return list(conn.execute(query))


def errors_of_links(
    conn: Connection, portal_id: int, object_type: str, links: list[Row[Any]], limit: int = 20
) -> list[Row[Any]]:
    if not links:
        return []
    keys = [(link.source_app_id, link.store_id, link.external_id) for link in links]
    query = (
        sa.select(sync_errors)
        .where(
            sync_errors.c.portal_id == portal_id,
            sync_errors.c.object_type == object_type,
            sa.tuple_(
                sync_errors.c.source_app_id, sync_errors.c.store_id, sync_errors.c.external_id
            ).in_(keys),
        )
        .order_by(sync_errors.c.errored_at.desc())
        .limit(limit)
    )
    return list(conn.execute(query))


def pending_targets(
    conn: Connection, portal_id: int, object_type: str, links: list[Row[Any]]
) -> dict[tuple[int, str, str], list[tuple[str, str]]]:
    """Per link (source, store, external id): the (type, external id) it waits to be linked to."""
    if not links:
        return {}
    p = pending_associations.c
    keys = [(link.source_app_id, link.store_id, link.external_id) for link in links]
    query = sa.select(
        p.source_app_id, p.store_id, p.from_external_id, p.to_type, p.to_external_id
    ).where(
        p.portal_id == portal_id,
        p.from_type == object_type,
        sa.tuple_(p.source_app_id, p.store_id, p.from_external_id).in_(keys),
    )
    found: dict[tuple[int, str, str], list[tuple[str, str]]] = {}
    for row in conn.execute(query):
        key = (int(row.source_app_id), row.store_id, row.from_external_id)
        found.setdefault(key, []).append((row.to_type, row.to_external_id))
    return found
