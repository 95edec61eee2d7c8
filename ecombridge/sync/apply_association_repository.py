"""SQL for associations made by sync messages and the pending ones waiting for their target."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ecombridge.db.dialect import insert_for
from ecombridge.db.tables import associations, pending_associations, sync_objects
from ecombridge.sync.apply_repository import Row, Scope, chunks, execute_many


def hubspot_ids(
    conn: Connection, scope: Scope, object_type: str, external_ids: Iterable[str]
) -> dict[str, int]:
    """External id -> hubspotId of the objects that exist (tombstoned links included)."""
    s = sync_objects.c
    found: dict[str, int] = {}
    for chunk in chunks(external_ids):
        query = sa.select(s.external_id, s.hubspot_id).where(
            s.portal_id == scope.portal_id,
            s.source_app_id == scope.source_app_id,
            s.store_id == scope.store_id,
            s.object_type == object_type,
            s.external_id.in_(chunk),
            s.hubspot_id.is_not(None),
        )
        found.update((ext, int(hid)) for ext, hid in conn.execute(query))
    return found


def delete_associations(
    conn: Connection, portal_id: int, from_type: str, to_type: str, from_ids: Sequence[int]
) -> None:
    a = associations.c
    for chunk in chunks(from_ids):
        conn.execute(
            sa.delete(associations).where(
                a.portal_id == portal_id,
                a.from_type == from_type,
                a.to_type == to_type,
                a.from_id.in_(chunk),
            )
        )


def _insert_new(conn: Connection, table: sa.Table) -> Any:
    columns: dict[str, Any] = {c.name: sa.bindparam(c.name) for c in table.columns}
    return insert_for(conn, table).values(columns).on_conflict_do_nothing()


def insert_associations(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    execute_many(conn, "insert_associations", lambda: _insert_new(conn, associations), rows)


def delete_pending_from(
    conn: Connection, scope: Scope, from_type: str, to_type: str, from_external_ids: Sequence[str]
) -> None:
    p = pending_associations.c
    for chunk in chunks(from_external_ids):
        conn.execute(
            sa.delete(pending_associations).where(
                p.portal_id == scope.portal_id,
                p.source_app_id == scope.source_app_id,
                p.store_id == scope.store_id,
                p.from_type == from_type,
                p.to_type == to_type,
                p.from_external_id.in_(chunk),
            )
        )


def insert_pending(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    build = lambda: _insert_new(conn, pending_associations)  # noqa: E731
    execute_many(conn, "insert_pending", build, rows)


def pending_to(
    conn: Connection, scope: Scope, to_type: str, to_external_ids: Iterable[str]
) -> list[Row]:
    p = pending_associations.c
    rows: list[Row] = []
    for chunk in chunks(to_external_ids):
        query = sa.select(p.from_type, p.from_external_id, p.to_type, p.to_external_id).where(
            p.portal_id == scope.portal_id,
            p.source_app_id == scope.source_app_id,
            p.store_id == scope.store_id,
            p.to_type == to_type,
            p.to_external_id.in_(chunk),
        )
        rows.extend(conn.execute(query))
    return rows


def pending_from(
    conn: Connection, scope: Scope, from_type: str, from_external_ids: Iterable[str]
) -> list[Row]:
    p = pending_associations.c
    rows: list[Row] = []
    for chunk in chunks(from_external_ids):
        query = sa.select(p.from_external_id, p.to_type, p.to_external_id).where(
            p.portal_id == scope.portal_id,
            p.source_app_id == scope.source_app_id,
            p.store_id == scope.store_id,
            p.from_type == from_type,
            p.from_external_id.in_(chunk),
        )
        rows.extend(conn.execute(query))
    return rows


def delete_pending_rows(conn: Connection, scope: Scope, rows: Sequence[dict[str, Any]]) -> None:
    """rows: b_from_type, b_from_ext, b_to_type, b_to_ext."""
    if not rows:
        return
    p = pending_associations.c
    statement = sa.delete(pending_associations).where(
        p.portal_id == scope.portal_id,
        p.source_app_id == scope.source_app_id,
        p.store_id == scope.store_id,
        p.from_type == sa.bindparam("b_from_type"),
        p.from_external_id == sa.bindparam("b_from_ext"),
        p.to_type == sa.bindparam("b_to_type"),
        p.to_external_id == sa.bindparam("b_to_ext"),
    )
    conn.execute(statement, list(rows))
