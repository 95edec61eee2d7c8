"""All SQL on the relay tables: ``relay_destinations``, ``relay_outbox``, ``relay_objects``."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.dialect import insert_for
from ecombridge.db.tables import relay_destinations, relay_objects, relay_outbox

d = relay_destinations.c
o = relay_outbox.c
r = relay_objects.c

DELIVERED, FAILED, STOPPED = "DELIVERED", "FAILED", "STOPPED"

# -- destinations -------------------------------------------------------------------------------

# Built once: the change-feed listener runs it for every applied batch of a portal.
_OF_PORTAL = (
    sa.select(d.id, d.store_ids).where(d.portal_id == sa.bindparam("portal_id")).order_by(d.id)
)


def feed_targets(conn: Connection, portal_id: int) -> list[tuple[int, list[str] | None]]:
    """(id, store ids) of the portal's destinations: the listener's one indexed read."""
    return [(int(i), s) for i, s in conn.execute(_OF_PORTAL, {"portal_id": portal_id})]


def insert_destination(conn: Connection, **values: Any) -> int:
    return int(
        conn.execute(relay_destinations.insert().values(**values).returning(d.id)).scalar_one()
    )


def destination(conn: Connection, destination_id: int) -> Row[Any] | None:
    query = sa.select(relay_destinations).where(d.id == destination_id)
    return conn.execute(query).first()


def destinations(conn: Connection, portal_id: int | None = None) -> list[Row[Any]]:
    query = sa.select(relay_destinations).order_by(d.id)
    if portal_id is not None:
        query = query.where(d.portal_id == portal_id)
    return list(conn.execute(query))


def update_destination(conn: Connection, destination_id: int, **values: Any) -> None:
    conn.execute(relay_destinations.update().where(d.id == destination_id).values(**values))


def delete_destination(conn: Connection, destination_id: int) -> None:
    conn.execute(relay_outbox.delete().where(o.destination_id == destination_id))
    conn.execute(relay_objects.delete().where(r.destination_id == destination_id))
    conn.execute(relay_destinations.delete().where(d.id == destination_id))


def take_lease(conn: Connection, destination_id: int, token: str, now: int, until: int) -> bool:
    """Hold the destination for one relay job, unless another one holds it still."""
    free = sa.or_(d.lease_until.is_(None), d.lease_until < now, d.lease_token == token)
    statement = (
        relay_destinations.update()
        .where(d.id == destination_id, free)
        .values(lease_token=token, lease_until=until)
    )
    return conn.execute(statement).rowcount == 1


def drop_lease(conn: Connection, destination_id: int, token: str) -> None:
    statement = (
        relay_destinations.update()
        .where(d.id == destination_id, d.lease_token == token)
        .values(lease_token=None, lease_until=None)
    )
    conn.execute(statement)


# -- outbox --------------------------------------------------------------------------------------


def file_outbox(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert (destination_id, object_type, object_id, changed_at, queued_at) rows; a row that
    exists keeps the newer changedAt (and its queued_at: the lag counts from the first)."""
    if not rows:
        return
    statement = insert_for(conn, relay_outbox)
    newest = sa.case(
        (statement.excluded.changed_at > o.changed_at, statement.excluded.changed_at),
        else_=o.changed_at,
    )
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[o.destination_id, o.object_type, o.object_id],
            set_={"changed_at": newest},
        ),
        list(rows),
    )


def outbox_page(
    conn: Connection, destination_id: int, object_type: str, limit: int
) -> list[tuple[int, int]]:
    """The first ``limit`` (object id, changedAt) waiting of a type."""
    query = (
        sa.select(o.object_id, o.changed_at)
        .where(o.destination_id == destination_id, o.object_type == object_type)
        .order_by(o.object_id)
        .limit(limit)
    )
    return [(int(i), int(c)) for i, c in conn.execute(query)]


def delete_outbox(
    conn: Connection, destination_id: int, object_type: str, done: Iterable[tuple[int, int]]
) -> None:
    """Remove the rows of objects delivered at a changedAt: a newer change filed meanwhile
    stays."""
    statement = relay_outbox.delete().where(
        o.destination_id == destination_id,
        o.object_type == object_type,
        o.object_id == sa.bindparam("b_id"),
        o.changed_at <= sa.bindparam("b_changed"),
    )
    params = [{"b_id": i, "b_changed": c} for i, c in done]
    if params:
        conn.execute(statement, params)


def outbox_summary(conn: Connection, destination_id: int) -> tuple[int, int | None]:
    """How many rows wait, and when the oldest was filed."""
    query = sa.select(sa.func.count(), sa.func.min(o.queued_at)).where(
        o.destination_id == destination_id
    )
    count, oldest = conn.execute(query).one()
    return int(count), None if oldest is None else int(oldest)


def has_outbox(conn: Connection, destination_id: int) -> bool:
    query = sa.select(o.object_id).where(o.destination_id == destination_id).limit(1)
    return conn.execute(query).first() is not None


# -- delivery state ------------------------------------------------------------------------------


def save_states(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Upsert (destination_id, object_type, object_id, target_id, state, changed_at, error,
    updated_at) rows; a target id known stays when a row brings none."""
    if not rows:
        return
    statement = insert_for(conn, relay_objects)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[r.destination_id, r.object_type, r.object_id],
            set_={
                "target_id": sa.func.coalesce(statement.excluded.target_id, r.target_id),
                "state": statement.excluded.state,
                "changed_at": statement.excluded.changed_at,
                "error": statement.excluded.error,
                "updated_at": statement.excluded.updated_at,
            },
        ),
        list(rows),
    )


def _column_of(
    conn: Connection,
    destination_id: int,
    object_type: str,
    object_ids: Collection[int],
    column: sa.Column[Any],
) -> dict[int, Any]:
    """object id -> ``column`` of the rows of these objects where it is set."""
    if not object_ids:
        return {}
    query = sa.select(r.object_id, column).where(
        r.destination_id == destination_id,
        r.object_type == object_type,
        r.object_id.in_(sorted(object_ids)),
        column.is_not(None),
    )
    return {int(i): value for i, value in conn.execute(query)}


def target_ids(
    conn: Connection, destination_id: int, object_type: str, object_ids: Collection[int]
) -> dict[int, str]:
    found = _column_of(conn, destination_id, object_type, object_ids, r.target_id)
    return {i: str(t) for i, t in found.items()}


def associated(
    conn: Connection, destination_id: int, object_type: str, object_ids: Collection[int]
) -> dict[int, dict[str, Any]]:
    """The associations recorded as delivered from these objects."""
    found = _column_of(conn, destination_id, object_type, object_ids, r.associated)
    return {i: dict(a) for i, a in found.items()}


def save_associated(
    conn: Connection, destination_id: int, object_type: str, records: dict[int, dict[str, Any]]
) -> None:
    statement = (
        relay_objects.update()
        .where(
            r.destination_id == destination_id,
            r.object_type == object_type,
            r.object_id == sa.bindparam("b_id"),
        )
        .values(associated=sa.bindparam("b_record"))
    )
    params = [{"b_id": i, "b_record": record} for i, record in sorted(records.items())]
    if params:
        conn.execute(statement, params)


def delivered_without_product(
    conn: Connection, destination_id: int, line_item_ids: Collection[int]
) -> dict[int, int]:
    """(id -> changedAt) of these line items sent to the destination before (delivered or
    refused): those a product's first delivery files again."""
    if not line_item_ids:
        return {}
    query = sa.select(r.object_id, r.changed_at).where(
        r.destination_id == destination_id,
        r.object_type == "LINE_ITEM",
        r.object_id.in_(sorted(line_item_ids)),
        r.state.in_((DELIVERED, FAILED)),
    )
    return {int(i): int(c) for i, c in conn.execute(query)}


def state_counts(conn: Connection, destination_id: int) -> dict[str, int]:
    query = (
        sa.select(r.state, sa.func.count())
        .where(r.destination_id == destination_id)
        .group_by(r.state)
    )
    return {str(s): int(n) for s, n in conn.execute(query)}


def object_states(
    conn: Connection, dest_ids: Collection[int], object_type: str, object_ids: Collection[int]
) -> list[Row[Any]]:
    """Delivery rows of these objects at these destinations (primary-key reads)."""
    if not object_ids or not dest_ids:
        return []
    query = (
        sa.select(relay_objects)
        .where(
            r.destination_id.in_(sorted(dest_ids)),
            r.object_type == object_type,
            r.object_id.in_(sorted(object_ids)),
        )
        .order_by(r.object_id, r.destination_id)
    )
    return list(conn.execute(query))


def pending_of(
    conn: Connection, dest_ids: Collection[int], object_type: str, object_ids: Collection[int]
) -> list[tuple[int, int, int]]:
    """(destination id, object id, changedAt) of these objects' outbox rows."""
    if not object_ids or not dest_ids:
        return []
    query = sa.select(o.destination_id, o.object_id, o.changed_at).where(
        o.destination_id.in_(sorted(dest_ids)),
        o.object_type == object_type,
        o.object_id.in_(sorted(object_ids)),
    )
    return [(int(d_), int(i), int(ch)) for d_, i, ch in conn.execute(query)]
