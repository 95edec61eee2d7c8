"""Stores of a portal, grouped by source, with their sync counts and imports."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.tables import (
    apps,
    installations,
    stores,
    sync_errors,
    sync_objects,
)
from ecombridge.imports import repository as imports_repo
from ecombridge.imports.pages import types_with_received
from ecombridge.imports.service import APPLY_ORDER


def list_stores(conn: Connection, portal_id: int) -> list[Row[Any]]:
    query = (
        sa.select(
            stores.c.source_app_id,
            stores.c.id,
            stores.c.alias_id,
            stores.c.label,
            stores.c.admin_uri,
            stores.c.created_at,
        )
        .where(stores.c.portal_id == portal_id, stores.c.deleted_at.is_(None))
        .order_by(stores.c.source_app_id, stores.c.label, stores.c.id)
    )
    return list(conn.execute(query))


def stores_with_data(conn: Connection, portal_id: int) -> list[Row[Any]]:
    """(source_app_id, store_id) pairs that have synced data, listed or not (implicit default)."""
    query = (
        sa.select(sync_objects.c.source_app_id, sync_objects.c.store_id)
        .where(sync_objects.c.portal_id == portal_id)
        .group_by(sync_objects.c.source_app_id, sync_objects.c.store_id)
    )
    return list(conn.execute(query))


def get_store(conn: Connection, portal_id: int, app_id: int, store_id: str) -> Row[Any] | None:
    query = sa.select(stores).where(
        stores.c.portal_id == portal_id,
        stores.c.source_app_id == app_id,
        stores.c.id == store_id,
        stores.c.deleted_at.is_(None),
    )
    return conn.execute(query).first()


def app_names(conn: Connection, portal_id: int) -> dict[int, str]:
    """Names of the apps installed in the portal or that wrote data to it."""
    query = (
        sa.select(apps.c.id, apps.c.name)
        .join(installations, installations.c.app_id == apps.c.id)
        .where(installations.c.portal_id == portal_id)
    )
    return {int(row.id): row.name for row in conn.execute(query)}


def app_name(conn: Connection, app_id: int) -> str | None:
    return conn.execute(sa.select(apps.c.name).where(apps.c.id == app_id)).scalar()


def is_installed(conn: Connection, portal_id: int, app_id: int) -> bool:
    query = sa.select(installations.c.id).where(
        installations.c.portal_id == portal_id,
        installations.c.app_id == app_id,
        installations.c.uninstalled_at.is_(None),
    )
    return conn.execute(query).first() is not None


def object_counts(
    conn: Connection, portal_id: int, app_id: int, store_id: str
) -> tuple[dict[str, int], int | None]:
    """Live synced objects per type, and when the store last had a message processed."""
    where = (
        sync_objects.c.portal_id == portal_id,
        sync_objects.c.source_app_id == app_id,
        sync_objects.c.store_id == store_id,
    )
    counts_query = (
        sa.select(sync_objects.c.object_type, sa.func.count())
        .where(*where, sync_objects.c.hubspot_id.is_not(None), sync_objects.c.deleted_at.is_(None))
        .group_by(sync_objects.c.object_type)
    )
    counts = {row[0]: int(row[1]) for row in conn.execute(counts_query)}
    last = conn.execute(sa.select(sa.func.max(sync_objects.c.last_processed_at)).where(*where))
    return counts, last.scalar()


def open_error_count(conn: Connection, portal_id: int, app_id: int, store_id: str) -> int:
    query = sa.select(sa.func.count()).where(
        sync_errors.c.portal_id == portal_id,
        sync_errors.c.source_app_id == app_id,
        sync_errors.c.store_id == store_id,
        sync_errors.c.status == "OPEN",
    )
    return int(conn.execute(query).scalar_one())


def latest_import(
    conn: Connection, portal_id: int, app_id: int, store_id: str
) -> tuple[Row[Any], list[Any]] | None:
    """The import the imports API calls the store's latest, with its per-type rows by type
    (received pages counted from the stored pages)."""
    row = imports_repo.latest_of_store(conn, portal_id, app_id, store_id)
    if row is None:
        return None
    counted, _last = types_with_received(conn, row.id)
    types = sorted(counted, key=lambda t: APPLY_ORDER.index(t.object_type))
    return row, types


def portal_summary(
    conn: Connection, portal_id: int
) -> tuple[dict[tuple[int, str], int], dict[tuple[int, str], int]]:
    """Live synced objects and open errors per (source, store), for the stores list."""
    o, e = sync_objects.c, sync_errors.c
    objects_query = (
        sa.select(o.source_app_id, o.store_id, sa.func.count())
        .where(o.portal_id == portal_id, o.hubspot_id.is_not(None), o.deleted_at.is_(None))
        .group_by(o.source_app_id, o.store_id)
    )
    errors_query = (
        sa.select(e.source_app_id, e.store_id, sa.func.count())
        .where(e.portal_id == portal_id, e.status == "OPEN")
        .group_by(e.source_app_id, e.store_id)
    )
    objects = {(int(r[0]), r[1]): int(r[2]) for r in conn.execute(objects_query)}
    errors = {(int(r[0]), r[1]): int(r[2]) for r in conn.execute(errors_query)}
    return objects, errors
