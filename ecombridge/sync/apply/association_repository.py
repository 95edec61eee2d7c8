"""SQL for associations made by sync messages and the pending ones waiting for their target."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ecombridge.db.dialect import insert_for
from ecombridge.db.tables import associations, pending_associations, sync_objects
from ecombridge.sync.apply.repository import (
    Row,
    Scope,
    copy_rows,
    execute_in,
    execute_rows,
    in_scope,
    scope_params,
)


def _values() -> Any:
    """The ``IN`` list ``execute_in`` expands."""
    return sa.bindparam("values", expanding=True)


def hubspot_ids(
    conn: Connection, scope: Scope, object_type: str, external_ids: Iterable[str]
) -> dict[str, int]:
    """External id -> hubspotId of the objects that exist (tombstoned links included)."""
    s = sync_objects.c

    def build() -> Any:
        return sa.select(s.external_id, s.hubspot_id).where(
            *in_scope(s), s.external_id.in_(_values()), s.hubspot_id.is_not(None)
        )

    params = scope_params(scope, object_type)
    rows = execute_in(conn, "hubspot_ids", build, params, external_ids, plain=True)
    return {ext: int(hid) for ext, hid in rows}


def delete_associations(
    conn: Connection, portal_id: int, from_type: str, to_type: str, from_ids: Sequence[int]
) -> None:
    a = associations.c

    def build() -> Any:
        return sa.delete(associations).where(
            a.portal_id == sa.bindparam("portal_id"),
            a.from_type == sa.bindparam("from_type"),
            a.to_type == sa.bindparam("to_type"),
            a.from_id.in_(_values()),
        )

    params = {"portal_id": portal_id, "from_type": from_type, "to_type": to_type}
    execute_in(conn, "delete_associations", build, params, from_ids)


def _insert_new(conn: Connection, table: sa.Table) -> Any:
    columns: dict[str, Any] = {c.name: sa.bindparam(c.name) for c in table.columns}
    return insert_for(conn, table).values(columns).on_conflict_do_nothing()


ASSOCIATION_COLUMNS = tuple(c.name for c in associations.columns)
PENDING_COLUMNS = tuple(c.name for c in pending_associations.columns)


def insert_associations(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """rows: ASSOCIATION_COLUMNS."""
    build = lambda: _insert_new(conn, associations)  # noqa: E731
    execute_rows(conn, "insert_associations", build, ASSOCIATION_COLUMNS, rows)


def insert_associations_of_new(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """``insert_associations`` from objects this transaction created: no row can hold their
    key yet (PostgreSQL: ``copy_rows``)."""
    if conn.dialect.name == "postgresql":
        copy_rows(conn, associations, rows)
    else:
        insert_associations(conn, rows)


def delete_pending_from(
    conn: Connection, scope: Scope, from_type: str, to_type: str, from_external_ids: Sequence[str]
) -> None:
    p = pending_associations.c

    def build() -> Any:
        return sa.delete(pending_associations).where(
            *in_scope(p, "from_type"),
            p.to_type == sa.bindparam("to_type"),
            p.from_external_id.in_(_values()),
        )

    params = {**scope_params(scope, from_type), "to_type": to_type}
    execute_in(conn, "delete_pending_from", build, params, from_external_ids)


def insert_pending(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """rows: PENDING_COLUMNS."""
    build = lambda: _insert_new(conn, pending_associations)  # noqa: E731
    execute_rows(conn, "insert_pending", build, PENDING_COLUMNS, rows)


def any_pending_to(conn: Connection, scope: Scope, to_type: str) -> bool:
    """Whether any association of the scope waits for a target of ``to_type`` (one index
    probe; most batches of targets have none waiting for them)."""
    p = pending_associations.c
    query = (
        sa.select(p.to_external_id)
        .where(
            p.portal_id == scope.portal_id,
            p.source_app_id == scope.source_app_id,
            p.store_id == scope.store_id,
            p.to_type == to_type,
        )
        .limit(1)
    )
    return conn.execute(query).first() is not None


def pending_to(
    conn: Connection, scope: Scope, to_type: str, to_external_ids: Iterable[str]
) -> list[Row]:
    p = pending_associations.c

    def build() -> Any:
        return sa.select(p.from_type, p.from_external_id, p.to_type, p.to_external_id).where(
            *in_scope(p, "to_type"), p.to_external_id.in_(_values())
        )

    return execute_in(conn, "pending_to", build, scope_params(scope, to_type), to_external_ids)


def pending_from(
    conn: Connection, scope: Scope, from_type: str, from_external_ids: Iterable[str]
) -> list[Row]:
    p = pending_associations.c

    def build() -> Any:
        return sa.select(p.from_external_id, p.to_type, p.to_external_id).where(
            *in_scope(p, "from_type"), p.from_external_id.in_(_values())
        )

    params = scope_params(scope, from_type)
    return execute_in(conn, "pending_from", build, params, from_external_ids)


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


def existing_pending_targets(conn: Connection, portal_id: int) -> list[Row]:
    """source_app_id, store_id, to_type, to_external_id, hubspot_id of every target of the
    portal's pending associations that exists (one row per target)."""
    p, s = pending_associations.c, sync_objects.c
    statement = (
        sa.select(p.source_app_id, p.store_id, p.to_type, p.to_external_id, s.hubspot_id)
        .join(
            sync_objects,
            sa.and_(
                s.portal_id == p.portal_id,
                s.source_app_id == p.source_app_id,
                s.store_id == p.store_id,
                s.object_type == p.to_type,
                s.external_id == p.to_external_id,
            ),
        )
        .where(p.portal_id == portal_id, s.hubspot_id.is_not(None))
        .distinct()
    )
    return list(conn.execute(statement))


def delete_pending_created_before(conn: Connection, before: int, limit: int) -> int:
    """Forget up to ``limit`` pending associations waiting since before ``before``."""
    p = pending_associations.c
    key = sa.tuple_(
        p.portal_id,
        p.source_app_id,
        p.store_id,
        p.from_type,
        p.from_external_id,
        p.to_type,
        p.to_external_id,
    )
    oldest = (
        sa.select(
            p.portal_id,
            p.source_app_id,
            p.store_id,
            p.from_type,
            p.from_external_id,
            p.to_type,
            p.to_external_id,
        )
        .where(p.created_at < before)
        .limit(limit)
    )
    return int(conn.execute(pending_associations.delete().where(key.in_(oldest))).rowcount)
