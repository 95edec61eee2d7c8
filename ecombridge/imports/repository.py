"""All SQL of imports: the import rows, their per-type counters and the stored pages."""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ecombridge.db.dialect import insert_for
from ecombridge.db.tables import (
    apps,
    import_pages,
    import_types,
    imports,
    installations,
    sync_settings,
)

ACTIVE_STATES = ("AWAITING_COUNTS", "RECEIVING", "PROCESSING")


# --- the app and its installation --------------------------------------------------------------


def lock_installation(conn: Connection, portal_id: int, app_id: int) -> bool:
    """Lock the app's installation row: starts of one installation are serialised."""
    query = (
        sa.select(installations.c.id)
        .where(installations.c.portal_id == portal_id, installations.c.app_id == app_id)
        .with_for_update()
    )
    return conn.execute(query).first() is not None


def webhook_target(conn: Connection, app_id: int) -> Row[Any] | None:
    """(webhook_uri: v2 settings webhookUri, import_trigger_uri: v1 importTriggerUri,
    client_secret_sealed) of an app."""
    query = (
        sa.select(
            sync_settings.c.webhook_uri, apps.c.import_trigger_uri, apps.c.client_secret_sealed
        )
        .select_from(
            apps.outerjoin(
                sync_settings,
                sa.and_(sync_settings.c.portal_id == 0, sync_settings.c.app_id == apps.c.id),
            )
        )
        .where(apps.c.id == app_id)
    )
    return cast("Row[Any] | None", conn.execute(query).first())


# --- imports -----------------------------------------------------------------------------------


def find_active(conn: Connection, portal_id: int, app_id: int, store_id: str) -> Row[Any] | None:
    query = sa.select(imports).where(
        imports.c.portal_id == portal_id,
        imports.c.app_id == app_id,
        imports.c.store_id == store_id,
        imports.c.state.in_(ACTIVE_STATES),
    )
    return conn.execute(query).first()


def latest_started_at(conn: Connection, portal_id: int, app_id: int) -> int | None:
    query = sa.select(sa.func.max(imports.c.started_at)).where(
        imports.c.portal_id == portal_id, imports.c.app_id == app_id
    )
    value = conn.execute(query).scalar()
    return None if value is None else int(value)


def insert_import(conn: Connection, **values: Any) -> int:
    result = conn.execute(sa.insert(imports).values(**values).returning(imports.c.id))
    return int(result.scalar_one())


def insert_types(conn: Connection, import_id: int, settings_ids: dict[str, int]) -> None:
    conn.execute(
        sa.insert(import_types),
        [
            {"import_id": import_id, "object_type": object_type, "settings_id": settings_id}
            for object_type, settings_id in settings_ids.items()
        ],
    )


def get_import(conn: Connection, import_id: int, *, for_update: bool = False) -> Row[Any] | None:
    query = sa.select(imports).where(imports.c.id == import_id)
    if for_update:
        query = query.with_for_update()
    return conn.execute(query).first()


# The statements of receiving pages are built once: building one costs more than running it.
_BY_STARTED_AT = (
    sa.select(imports)
    .where(
        imports.c.portal_id == sa.bindparam("portal_id"),
        imports.c.app_id == sa.bindparam("app_id"),
        imports.c.started_at == sa.bindparam("started_at"),
    )
    .order_by((imports.c.store_id != "default"), imports.c.id)
)
_BY_STARTED_AT_FOR_UPDATE = _BY_STARTED_AT.with_for_update()


def find_by_started_at(
    conn: Connection, portal_id: int, app_id: int, started_at: int, *, for_update: bool = False
) -> list[Row[Any]]:
    """Imports of an installation started at that instant (v1 ones first: store "default")."""
    query = _BY_STARTED_AT_FOR_UPDATE if for_update else _BY_STARTED_AT
    params = {"portal_id": portal_id, "app_id": app_id, "started_at": started_at}
    return list(conn.execute(query, params))


def latest_of_store(
    conn: Connection, portal_id: int, app_id: int, store_id: str
) -> Row[Any] | None:
    query = (
        sa.select(imports)
        .where(
            imports.c.portal_id == portal_id,
            imports.c.app_id == app_id,
            imports.c.store_id == store_id,
        )
        .order_by(imports.c.started_at.desc())
        .limit(1)
    )
    return conn.execute(query).first()


def update_import(conn: Connection, import_id: int, **values: Any) -> None:
    conn.execute(sa.update(imports).where(imports.c.id == import_id).values(**values))


# --- per-type counters -------------------------------------------------------------------------


_TYPES = sa.select(import_types).where(import_types.c.import_id == sa.bindparam("import_id"))
_TYPES_FOR_UPDATE = _TYPES.with_for_update()


def get_types(conn: Connection, import_id: int, *, for_update: bool = False) -> list[Row[Any]]:
    query = _TYPES_FOR_UPDATE if for_update else _TYPES
    return list(conn.execute(query, {"import_id": import_id}))


def set_announced(conn: Connection, import_id: int, counts: dict[str, int]) -> None:
    for object_type, count in counts.items():
        conn.execute(
            sa.update(import_types)
            .where(import_types.c.import_id == import_id, import_types.c.object_type == object_type)
            .values(announced=count)
        )


def mark_ended(
    conn: Connection, import_id: int, object_type: str, page_count: int, item_count: int, now: int
) -> bool:
    """Record a type's end; False when it had already ended."""
    result = conn.execute(
        sa.update(import_types)
        .where(
            import_types.c.import_id == import_id,
            import_types.c.object_type == object_type,
            import_types.c.ended_at.is_(None),
        )
        .values(end_page_count=page_count, end_item_count=item_count, ended_at=now)
        .returning(import_types.c.object_type)
    )
    return result.first() is not None


def record_applied(
    conn: Connection, import_id: int, object_type: str, items: int, through_page: int
) -> None:
    conn.execute(
        sa.update(import_types)
        .where(import_types.c.import_id == import_id, import_types.c.object_type == object_type)
        .values(applied=import_types.c.applied + items, applied_through_page=through_page)
    )


# --- pages -------------------------------------------------------------------------------------


_HIGHEST_PAGE = sa.select(sa.func.max(import_pages.c.page_number)).where(
    import_pages.c.import_id == sa.bindparam("import_id"),
    import_pages.c.object_type == sa.bindparam("object_type"),
)


def next_page_number(conn: Connection, import_id: int, object_type: str) -> int:
    params = {"import_id": import_id, "object_type": object_type}
    value = conn.execute(_HIGHEST_PAGE, params).scalar()
    return 0 if value is None else int(value) + 1


def insert_page(
    conn: Connection,
    import_id: int,
    object_type: str,
    page_number: int,
    item_count: int,
    payload: bytes,
    now: int,
) -> bool:
    """Store a page; False when that page number was already received."""
    statement = (
        insert_for(conn, import_pages)
        .values(
            import_id=import_id,
            object_type=object_type,
            page_number=page_number,
            item_count=item_count,
            payload=payload,
            received_at=now,
        )
        .on_conflict_do_nothing()
        .returning(import_pages.c.page_number)
    )
    return conn.execute(statement).first() is not None


_TAKEN_AT_ONCE = 64  # numbers per query
_taken: dict[int, sa.Select[Any]] = {}  # by list length: each compiled once


def _taken_statement(length: int) -> sa.Select[Any]:
    statement = _taken.get(length)
    if statement is None:
        numbers: list[sa.BindParameter[Any]] = [sa.bindparam(f"n{i}") for i in range(length)]
        statement = _taken[length] = sa.select(import_pages.c.page_number).where(
            import_pages.c.import_id == sa.bindparam("import_id"),
            import_pages.c.object_type == sa.bindparam("object_type"),
            import_pages.c.page_number.in_(numbers),
        )
    return statement


def taken_page_numbers(
    conn: Connection, import_id: int, object_type: str, numbers: list[int]
) -> set[int]:
    """Which of these page numbers were already received."""
    taken: set[int] = set()
    for start in range(0, len(numbers), _TAKEN_AT_ONCE):
        chunk = numbers[start : start + _TAKEN_AT_ONCE]
        length = 1 << (len(chunk) - 1).bit_length()  # padded to a power of two: few statements
        padded = chunk + chunk[:1] * (length - len(chunk))  # a repeated number changes nothing
        params: dict[str, Any] = {f"n{i}": n for i, n in enumerate(padded)}
        params |= {"import_id": import_id, "object_type": object_type}
        result = conn.execute(_taken_statement(length), params)
        taken.update(int(n) for n in result.scalars())
    return taken


_INSERT_PAGES = sa.insert(import_pages)


def insert_pages(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Store pages whose numbers are known to be free (one statement for all of them)."""
    conn.execute(_INSERT_PAGES, rows)


_RECEIVED = (
    sa.select(
        import_pages.c.object_type,
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(import_pages.c.item_count), 0),
        sa.func.max(import_pages.c.received_at),
    )
    .where(import_pages.c.import_id == sa.bindparam("import_id"))
    .group_by(import_pages.c.object_type)
)


def received_in_pages(conn: Connection, import_id: int) -> dict[str, tuple[int, int, int]]:
    """(pages, items, last received_at) by type, counted from the stored pages."""
    rows = conn.execute(_RECEIVED, {"import_id": import_id})
    return {t: (int(pages), int(items), int(last)) for t, pages, items, last in rows}


def get_page(conn: Connection, import_id: int, object_type: str, page_number: int) -> bytes | None:
    query = sa.select(import_pages.c.payload).where(
        import_pages.c.import_id == import_id,
        import_pages.c.object_type == object_type,
        import_pages.c.page_number == page_number,
    )
    value = conn.execute(query).scalar()
    return None if value is None else bytes(value)


def pages_after(
    conn: Connection, import_id: int, object_type: str, after: int | None, limit: int
) -> list[Row[Any]]:
    """The next pages to apply, in page order, after the cursor."""
    query = (
        sa.select(import_pages.c.page_number, import_pages.c.payload)
        .where(import_pages.c.import_id == import_id, import_pages.c.object_type == object_type)
        .order_by(import_pages.c.page_number)
        .limit(limit)
    )
    if after is not None:
        query = query.where(import_pages.c.page_number > after)
    return list(conn.execute(query))
