"""SQL of CRM writes: objects read for writing (locked until commit on PostgreSQL), archiving,
the index of unique values and association pairs. Object rows are inserted and updated with
the apply's statements (``sync.apply.repository.insert_objects`` / ``update_objects``), so both
writers store objects the same way."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ecombridge.crm.repository import JsonProperties
from ecombridge.db import tables as t

o = t.crm_objects.c
u = t.crm_unique_values.c
a = t.associations.c


class Stored(NamedTuple):
    """An object as a write reads it."""

    id: int
    properties: dict[str, Any]
    versions: dict[str, Any]
    email_key: str | None
    archived: bool


def objects_for_write(
    conn: Connection, portal_id: int, object_type: str, ids: Iterable[int]
) -> dict[int, Stored]:
    """The objects among ``ids`` (archived too), locked against concurrent writers."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    query = (
        sa.select(o.id, o.properties, o.versions, o.email_key, o.archived)
        .where(o.portal_id == portal_id, o.object_type == object_type, o.id.in_(wanted))
        .order_by(o.id)
        .with_for_update()
    )
    found = {}
    for r in conn.execute(query):
        properties, versions = dict(r.properties or {}), dict(r.versions or {})
        found[r.id] = Stored(r.id, properties, versions, r.email_key, r.archived)
    return found


def live_ids(conn: Connection, portal_id: int, object_type: str, ids: Iterable[int]) -> set[int]:
    """The ids among ``ids`` of objects that exist and are not archived."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    query = sa.select(o.id).where(
        o.portal_id == portal_id,
        o.object_type == object_type,
        o.id.in_(wanted),
        o.archived.is_(False),
    )
    return set(conn.execute(query).scalars())


def set_archived(
    conn: Connection, portal_id: int, object_type: str, ids: Sequence[int], archived: bool, at: int
) -> None:
    if ids:
        conn.execute(
            sa.update(t.crm_objects)
            .where(o.portal_id == portal_id, o.object_type == object_type, o.id.in_(ids))
            .values(archived=archived, updated_at=at)
        )


# --- unique values ----------------------------------------------------------------------------


def unique_holders(
    conn: Connection, portal_id: int, object_type: str, prop: str, values: Iterable[str]
) -> dict[str, int]:
    """value -> id of the object holding it, for the ``values`` of ``prop`` that are held."""
    wanted = sorted(set(values))
    if not wanted:
        return {}
    query = sa.select(u.value, u.object_id).where(
        u.portal_id == portal_id,
        u.object_type == object_type,
        u.property == prop,
        u.value.in_(wanted),
    )
    return {value: int(object_id) for value, object_id in conn.execute(query)}


def delete_unique_values(
    conn: Connection, portal_id: int, object_type: str, held: Sequence[tuple[int, str]]
) -> None:
    """Forget the values the objects hold: ``held`` is (object id, property) pairs."""
    if held:
        conn.execute(
            sa.delete(t.crm_unique_values).where(
                u.portal_id == portal_id,
                u.object_type == object_type,
                u.object_id == sa.bindparam("object"),
                u.property == sa.bindparam("prop"),
            ),
            [{"object": object_id, "prop": prop} for object_id, prop in held],
        )


def insert_unique_values(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """rows: the table's columns. A value already held fails (IntegrityError): callers check
    first; the failure only reports a concurrent writer of the same value."""
    if rows:
        conn.execute(sa.insert(t.crm_unique_values), list(rows))


def objects_with_property(
    conn: Connection, portal_id: int, object_type: str, prop: str
) -> list[tuple[int, Any]]:
    """(id, value) of the objects whose properties hold ``prop``."""
    query = sa.select(o.id, o.properties).where(
        o.portal_id == portal_id,
        o.object_type == object_type,
        JsonProperties(conn).text(prop).is_not(None),
    )
    return [(row.id, row.properties.get(prop)) for row in conn.execute(query)]


# --- association pairs (stored from the child's side) ----------------------------------------


def pairs_of(
    conn: Connection, portal_id: int, child_type: str, parent_type: str, child_ids: Iterable[int]
) -> list[tuple[int, int]]:
    """(child id, parent id) of the children's associations to ``parent_type``."""
    wanted = sorted(set(child_ids))
    if not wanted:
        return []
    query = sa.select(a.from_id, a.to_id).where(
        a.portal_id == portal_id,
        a.from_type == child_type,
        a.to_type == parent_type,
        a.from_id.in_(wanted),
    )
    return [(int(child), int(parent)) for child, parent in conn.execute(query)]


def delete_pairs(
    conn: Connection,
    portal_id: int,
    child_type: str,
    parent_type: str,
    pairs: Sequence[tuple[int, int]],
) -> None:
    if pairs:
        conn.execute(
            sa.delete(t.associations).where(
                a.portal_id == portal_id,
                a.from_type == child_type,
                a.to_type == parent_type,
                a.from_id == sa.bindparam("child"),
                a.to_id == sa.bindparam("parent"),
            ),
            [{"child": child, "parent": parent} for child, parent in pairs],
        )
