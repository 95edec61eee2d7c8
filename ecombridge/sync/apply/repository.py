"""All SQL of applying sync batches: set-wise reads (``IN`` lists) and ``executemany`` writes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ecombridge.db.dialect import insert_for
from ecombridge.db.tables import (
    crm_objects,
    crm_properties,
    portals,
    sync_errors,
    sync_objects,
)
from ecombridge.sync.apply.values import UNIQUE_TYPE

Row = Any  # a result row, read by attribute
CHUNK = 500  # keeps IN lists well under every driver's bound-parameter limit
IN_LENGTH_STEP = 50  # execute_in pads its IN lists to a multiple of this (CHUNK is one)


class Scope(NamedTuple):
    """Whose data: the portal, the source app (0 = the portal's own integration) and the store."""

    portal_id: int
    source_app_id: int
    store_id: str


_json = msgspec.json.Encoder()
_statements: dict[tuple[str, str], str] = {}  # (dialect, name) -> SQL


def execute_rows(
    conn: Connection,
    name: str,
    build: Callable[[], Any],
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
) -> None:
    """``executemany`` of the Core statement ``build()`` at the driver level, each row a tuple
    of values (JSON already encoded) in the order of ``columns``: the order the statement binds
    its parameters in, checked when it is compiled (once per dialect, positionally). Rows go to
    the driver as built: the apply writes tens of thousands of rows per second through these
    few statements, and turning each row into a dict and back would cost more than the
    driver's own work."""
    if not rows:
        return
    dialect = conn.dialect
    cached = _statements.get((dialect.name, name))
    if cached is None:
        compiled = build().compile(dialect=_positional(dialect))
        order = tuple(compiled.positiontup or ())
        if order != tuple(columns):
            raise ValueError(f"{name}: rows in the order {columns}, the statement binds {order}")
        cached = str(compiled)
        _statements[(dialect.name, name)] = cached
    conn.exec_driver_sql(cached, list(rows))


_positional_dialects: dict[str, Any] = {}


def _positional(dialect: Any) -> Any:
    """The dialect itself when its driver takes positional parameters (sqlite3), else a copy
    compiling ``%s`` placeholders (psycopg takes both)."""
    if dialect.positional:
        return dialect
    found = _positional_dialects.get(dialect.name)
    if found is None:
        found = _positional_dialects[dialect.name] = type(dialect)(paramstyle="format")
    return found


def encode_json(value: Any) -> str | None:
    """A JSON column's value as the driver takes it (text; PostgreSQL casts it to JSONB)."""
    return None if value is None else _json.encode(value).decode()


_expanded: dict[tuple[str, str, int], tuple[str, list[str] | None, dict[str, Any]]] = {}


def execute_in(
    conn: Connection,
    name: str,
    build: Callable[[], Any],
    params: dict[str, Any],
    values: Iterable[Any],
    key: str = "values",
    *,
    plain: bool = False,
) -> list[Row]:
    """Run the Core statement ``build()``, whose ``IN`` list is the expanding bind parameter
    ``key``, once per chunk of ``values``, at the driver level: its SQL is compiled once per
    dialect and list length, where building and compiling it per call costs about a millisecond
    (a batch runs about ten of these). Result rows are for plain columns only (no JSON
    decoding): rows read by attribute, or with ``plain`` the driver's own tuples (cheaper, for
    the reads that return a row per message). Returns the rows of all chunks."""
    dialect = conn.dialect
    if dialect.name == "postgresql":
        return _execute_any(conn, name, build, params, values, key, plain)
    rows: list[Row] = []
    for chunk in chunks(values):
        # Lists padded (repeating a value changes no IN) to a few lengths: few statements cached.
        chunk += chunk[-1:] * (-len(chunk) % IN_LENGTH_STEP)
        cache_key = (dialect.name, name, len(chunk))
        cached = _expanded.get(cache_key)
        if cached is None:
            compiled = build().compile(dialect=dialect)
            state = compiled.construct_expanded_state({**params, key: chunk})
            order = list(state.positiontup) if state.positiontup is not None else None
            expanded = {f"{key}_{i}" for i in range(1, len(chunk) + 1)}
            constants = {  # values written into the statement (``status == "OPEN"``)
                k: v for k, v in state.parameters.items() if k not in params and k not in expanded
            }
            cached = _expanded[cache_key] = (state.statement, order, constants)
        sql, order, constants = cached
        bound = {**constants, **params}
        bound.update((f"{key}_{i}", value) for i, value in enumerate(chunk, 1))
        result = conn.exec_driver_sql(
            sql, tuple(bound[n] for n in order) if order is not None else bound
        )
        _collect(result, rows, plain)
    return rows


_any: dict[str, tuple[str, dict[str, Any]]] = {}
ANY_CHUNK = 10_000


def _execute_any(
    conn: Connection,
    name: str,
    build: Callable[[], Any],
    params: dict[str, Any],
    values: Iterable[Any],
    key: str,
    plain: bool,
) -> list[Row]:
    """``execute_in`` on PostgreSQL: the ``IN`` list as ``= ANY(array)``, one parameter the
    server reads at once, where hundreds of parameters are each parsed and planned."""
    cached = _any.get(name)
    if cached is None:
        compiled = build().compile(dialect=conn.dialect)
        sql = str(compiled).replace(f"IN (__[POSTCOMPILE_{key}])", f"= ANY(%({key})s)")
        constants = {k: v for k, v in compiled.params.items() if k not in params and k != key}
        cached = _any[name] = (sql, constants)
    sql, constants = cached
    items = list(values)
    rows: list[Row] = []
    for start in range(0, len(items), ANY_CHUNK):
        bound = {**constants, **params, key: items[start : start + ANY_CHUNK]}
        _collect(conn.exec_driver_sql(sql, bound), rows, plain)
    return rows


def _collect(result: Any, rows: list[Row], plain: bool) -> None:
    if not result.returns_rows:
        return
    if plain:
        rows.extend(result.cursor.fetchall())
        result.close()
    else:
        rows.extend(result.all())


def _binds(*names: str) -> dict[str, Any]:
    return {n: sa.bindparam(n) for n in names}


def chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


# --- batch rules -----------------------------------------------------------------------------


def portal_active(conn: Connection, portal_id: int) -> bool:
    active = conn.execute(sa.select(portals.c.active).where(portals.c.id == portal_id)).scalar()
    return bool(active)


def property_registry(
    conn: Connection, portal_id: int, object_type: str, names: Iterable[str]
) -> dict[str, tuple[str, frozenset[str]]]:
    """Type and enumeration options of the named properties that exist (only the mapped ones
    are read: a portal has hundreds of properties, a mapping a handful); a property with unique
    values has the type ``UNIQUE_TYPE``."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    p = crm_properties.c
    query = sa.select(p.name, p.type, p.options, p.has_unique_value).where(
        p.portal_id == portal_id, p.object_type == object_type, p.name.in_(wanted)
    )
    return {
        name: (
            UNIQUE_TYPE if unique else type_,
            frozenset(str(o.get("value")) for o in options or ()),
        )
        for name, type_, options, unique in conn.execute(query)
    }


# --- links, errors and objects -----------------------------------------------------------------


class LinkRow(NamedTuple):
    external_id: str
    hubspot_id: int | None
    last_changed_at: int | None
    last_processed_at: int | None
    deleted_at: int | None
    parked: Any
    created_at: int
    skipped_properties: Any


def links(
    conn: Connection, scope: Scope, object_type: str, external_ids: Iterable[str]
) -> dict[str, LinkRow]:
    s = sync_objects.c

    def build() -> Any:
        return sa.select(
            s.external_id,
            s.hubspot_id,
            s.last_changed_at,
            s.last_processed_at,
            s.deleted_at,
            s.parked,
            s.created_at,
            s.skipped_properties,
        ).where(*in_scope(s), s.external_id.in_(sa.bindparam("values", expanding=True)))

    params = scope_params(scope, object_type)
    rows = execute_in(conn, "links", build, params, external_ids, plain=True)
    found: dict[str, LinkRow] = {}
    for row in rows:
        link = LinkRow(*row)
        # JSON text on SQLite; drivers of PostgreSQL decode it
        if isinstance(link.parked, str):
            link = link._replace(parked=json.loads(link.parked))
        if isinstance(link.skipped_properties, str):
            link = link._replace(skipped_properties=json.loads(link.skipped_properties))
        found[link.external_id] = link
    return found


def errors(
    conn: Connection, scope: Scope, object_type: str, external_ids: Iterable[str]
) -> dict[str, Row]:
    e = sync_errors.c

    def build() -> Any:
        return sa.select(
            e.external_id, e.type, e.details, e.changed_at, e.errored_at, e.status
        ).where(*in_scope(e), e.external_id.in_(sa.bindparam("values", expanding=True)))

    rows = execute_in(conn, "errors", build, scope_params(scope, object_type), external_ids)
    return {row.external_id: row for row in rows}


def objects_by_id(
    conn: Connection, portal_id: int, object_type: str, ids: Iterable[int]
) -> dict[int, Row]:
    o = crm_objects.c
    found: dict[int, Row] = {}
    for chunk in chunks(ids):
        query = sa.select(o.id, o.properties, o.versions, o.email_key).where(
            o.portal_id == portal_id, o.object_type == object_type, o.id.in_(chunk)
        )
        found.update((row.id, row) for row in conn.execute(query))
    return found


def contacts_by_email(
    conn: Connection, portal_id: int, email_keys: Iterable[str]
) -> dict[str, Row]:
    o = crm_objects.c
    found: dict[str, Row] = {}
    for chunk in chunks(email_keys):
        # Only contacts have an email key. Naming the object type as well made SQLite walk
        # every contact of the portal (through the (portal, type, updated) index) instead of
        # probing the (portal, email) index once per address.
        query = sa.select(o.id, o.properties, o.versions, o.email_key).where(
            o.portal_id == portal_id, o.email_key.in_(chunk)
        )
        found.update((row.email_key, row) for row in conn.execute(query))
    return found


# Column orders of the row tuples the apply writes: the order the statements bind them in.
OBJECT_COLUMNS = tuple(c.name for c in crm_objects.columns)
OBJECT_UPDATE_COLUMNS = (
    "properties",
    "email_key",
    "versions",
    "updated_at",
    "b_portal",
    "b_type",
    "b_id",
)
LINK_COLUMNS = tuple(c.name for c in sync_objects.columns)
ERROR_COLUMNS = tuple(c.name for c in sync_errors.columns)


def insert_objects(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """rows: OBJECT_COLUMNS, JSON encoded."""
    build = lambda: sa.insert(crm_objects).values(_binds(*OBJECT_COLUMNS))  # noqa: E731
    execute_rows(conn, "insert_objects", build, OBJECT_COLUMNS, rows)


def copy_rows(conn: Connection, table: sa.Table, rows: Sequence[tuple[Any, ...]]) -> None:
    """PostgreSQL: ``COPY`` rows (the table's columns, in order, JSON encoded) into ``table``.
    For rows no row of the table can hold yet, so no conflict is to be handled: a row costs the
    server and the worker a fraction of a pipelined ``INSERT`` (9 against 25 µs of server CPU,
    2 against 20 µs of the worker's, docs/performance.md). A key another transaction took
    meanwhile fails the copy as it would fail an insert: the batch is retried."""
    if not rows:
        return
    columns = ", ".join(c.name for c in table.columns)
    raw: Any = conn.connection.dbapi_connection  # psycopg's connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def insert_new_objects(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """``insert_objects`` for objects whose ids were just allocated, which no row can hold yet
    (PostgreSQL: ``copy_rows``; a contact whose email another transaction took meanwhile fails
    the copy as it fails the insert)."""
    if conn.dialect.name == "postgresql":
        copy_rows(conn, crm_objects, rows)
    else:
        insert_objects(conn, rows)


def update_objects(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """rows: OBJECT_UPDATE_COLUMNS (the new values, then the key), JSON encoded."""
    o = crm_objects.c

    def build() -> Any:
        return (
            sa.update(crm_objects)
            .where(
                o.portal_id == sa.bindparam("b_portal"),
                o.object_type == sa.bindparam("b_type"),
                o.id == sa.bindparam("b_id"),
            )
            .values(_binds("properties", "versions", "email_key", "updated_at"))
        )

    execute_rows(conn, "update_objects", build, OBJECT_UPDATE_COLUMNS, rows)


def _upsert(conn: Connection, table: sa.Table, updated: tuple[str, ...]) -> Any:
    statement = insert_for(conn, table).values(_binds(*(c.name for c in table.columns)))
    return statement.on_conflict_do_update(
        index_elements=[c.name for c in table.primary_key],
        set_={name: statement.excluded[name] for name in updated},
    )


def upsert_links(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """rows: LINK_COLUMNS, ``parked`` and ``skipped_properties`` JSON encoded."""
    updated = (
        "hubspot_id",
        "last_changed_at",
        "last_processed_at",
        "deleted_at",
        "parked",
        "skipped_properties",
    )
    build = lambda: _upsert(conn, sync_objects, updated)  # noqa: E731
    execute_rows(conn, "upsert_links", build, LINK_COLUMNS, rows)


def insert_new_links(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """``upsert_links`` for links this transaction found no row of (PostgreSQL: ``copy_rows``).
    A concurrent transaction creating the same link makes the copy fail on the key, and the
    batch is retried: it then merges into that link, where an upsert would have pointed the
    link at a second object and left the first one without a link."""
    if conn.dialect.name == "postgresql":
        copy_rows(conn, sync_objects, rows)
    else:
        upsert_links(conn, rows)


def touch_links(
    conn: Connection, scope: Scope, object_type: str, external_ids: Sequence[str], at: int
) -> None:
    s = sync_objects.c

    def build() -> Any:
        return (
            sa.update(sync_objects)
            .where(*in_scope(s), s.external_id.in_(sa.bindparam("values", expanding=True)))
            .values(last_processed_at=sa.bindparam("at"))
        )

    params = {**scope_params(scope, object_type), "at": at}
    execute_in(conn, "touch_links", build, params, external_ids)


def upsert_errors(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """rows: ERROR_COLUMNS."""
    updated = ("type", "details", "changed_at", "errored_at", "status")
    build = lambda: _upsert(conn, sync_errors, updated)  # noqa: E731
    execute_rows(conn, "upsert_errors", build, ERROR_COLUMNS, rows)


def resolve_errors(
    conn: Connection, scope: Scope, object_type: str, external_ids: Sequence[str]
) -> None:
    e = sync_errors.c

    def build() -> Any:
        return (
            sa.update(sync_errors)
            .where(
                *in_scope(e),
                e.external_id.in_(sa.bindparam("values", expanding=True)),
                e.status == "OPEN",
            )
            .values(status="RESOLVED")
        )

    execute_in(conn, "resolve_errors", build, scope_params(scope, object_type), external_ids)


def open_errors_of_type(
    conn: Connection, scope: Scope, object_type: str, external_ids: Iterable[str], error_type: str
) -> set[str]:
    """The external ids among ``external_ids`` whose error is OPEN and of ``error_type``."""
    e = sync_errors.c

    def build() -> Any:
        return sa.select(e.external_id).where(
            *in_scope(e),
            e.external_id.in_(sa.bindparam("values", expanding=True)),
            e.type == sa.bindparam("error_type"),
            e.status == "OPEN",
        )

    params = {**scope_params(scope, object_type), "error_type": error_type}
    return {row[0] for row in execute_in(conn, "open_errors_of_type", build, params, external_ids)}


def link_states(
    conn: Connection, scope: Scope, object_type: str, external_ids: Iterable[str]
) -> list[Row]:
    """Link, its error and whether it is tombstoned, for deriving association status."""
    s, e = sync_objects.c, sync_errors.c

    def build() -> Any:
        return (
            sa.select(
                s.external_id,
                s.hubspot_id,
                s.last_changed_at,
                s.deleted_at,
                e.type,
                e.details,
                e.status,
                e.changed_at,
            )
            .select_from(
                sync_objects.outerjoin(
                    sync_errors,
                    sa.and_(
                        e.portal_id == s.portal_id,
                        e.source_app_id == s.source_app_id,
                        e.store_id == s.store_id,
                        e.object_type == s.object_type,
                        e.external_id == s.external_id,
                    ),
                )
            )
            .where(*in_scope(s), s.external_id.in_(sa.bindparam("values", expanding=True)))
        )

    return execute_in(conn, "link_states", build, scope_params(scope, object_type), external_ids)


def in_scope(columns: Any, type_column: str = "object_type") -> tuple[Any, ...]:
    """Conditions on a table's scope columns, as bind parameters (see ``scope_params``)."""
    return (
        columns.portal_id == sa.bindparam("portal_id"),
        columns.source_app_id == sa.bindparam("source_app_id"),
        columns.store_id == sa.bindparam("store_id"),
        columns[type_column] == sa.bindparam("object_type"),
    )


def scope_params(scope: Scope, object_type: str) -> dict[str, Any]:
    return {
        "portal_id": scope.portal_id,
        "source_app_id": scope.source_app_id,
        "store_id": scope.store_id,
        "object_type": object_type,
    }
