"""Receiving an import: pages (stored durably as they arrive) and the end of each object type.

Pages are accepted while the import waits for the webhook's reply or receives (an integrator may
start sending before its reply to the webhook has been read). Every change locks the import row,
so ends and the switch to PROCESSING never race. Takes a connection, never commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from ecombridge.clock import now_ms
from ecombridge.errors import Conflict, NotFound, ValidationFailed
from ecombridge.imports import repository as repo
from ecombridge.imports.service import (
    AWAITING_COUNTS,
    PROCESSING,
    RECEIVING,
    SETTINGS_IDS,
    add_event,
)
from ecombridge.queue.service import IMPORT_APPLY, enqueue
from ecombridge.sync.messages import Message, decode_messages, encode_messages

OPEN_STATES = (AWAITING_COUNTS, RECEIVING)


def require_object_type(object_type: str) -> str:
    if object_type not in SETTINGS_IDS:
        raise ValidationFailed(
            f"objectType: must be one of PRODUCT, CONTACT, DEAL, LINE_ITEM, got {object_type!r}."
        )
    return object_type


def find_import(
    conn: Connection,
    portal_id: int,
    app_id: int,
    started_at: int,
    store_id: str | None,
    *,
    for_update: bool = False,
) -> Row[Any]:
    """The import a page or end addresses; v1 requests carry no storeId (None)."""
    found = repo.find_by_started_at(conn, portal_id, app_id, started_at, for_update=for_update)
    if store_id is not None:
        match = next((r for r in found if r.store_id == store_id), None)
        if match is None and found:
            raise ValidationFailed(
                f"storeId: {store_id!r} does not match the import started at {started_at}, "
                f"which imports store {found[0].store_id!r}."
            )
    else:
        match = found[0] if found else None
    if match is None:
        hint = ""
        if store_id is not None:
            active = repo.find_active(conn, portal_id, app_id, store_id)
            if active is not None:
                hint = f"; the current import of store {store_id!r} started at {active.started_at}"
        raise ValidationFailed(
            f"importStartedAt: {started_at} does not match any import of this app in this "
            f"portal{hint}."
        )
    return match


def _open_import(
    conn: Connection, portal_id: int, app_id: int, started_at: int, store_id: str | None
) -> Row[Any]:
    row = find_import(conn, portal_id, app_id, started_at, store_id, for_update=True)
    if row.state not in OPEN_STATES:
        raise ValidationFailed(
            f"importStartedAt: the import started at {started_at} is {row.state}; pages and "
            "ends are accepted only while it is RECEIVING."
        )
    return row


def receive_page(
    conn: Connection,
    portal_id: int,
    app_id: int,
    started_at: int,
    store_id: str | None,
    object_type: str,
    page_number: int | None,
    messages: list[Message],
) -> int:
    """Store a page of an import; returns its page number (the next one when none was sent)."""
    row = _open_import(conn, portal_id, app_id, started_at, store_id)
    if not repo.add_received(conn, row.id, object_type, len(messages)):
        raise Conflict(
            f"{object_type} of the import started at {started_at} has already ended; no more "
            "pages are accepted for it."
        )
    number = (
        page_number if page_number is not None else repo.next_page_number(conn, row.id, object_type)
    )
    now = now_ms()
    if not repo.insert_page(
        conn, row.id, object_type, number, len(messages), encode_messages(messages), now
    ):
        raise Conflict(
            f"pageNumber: page {number} of {object_type} was already received for the import "
            f"started at {started_at}; page numbers must be unique within an import."
        )
    repo.update_import(conn, row.id, updated_at=now)
    return number


def end_type(
    conn: Connection,
    portal_id: int,
    app_id: int,
    started_at: int,
    store_id: str | None,
    object_type: str,
    page_count: int,
    item_count: int,
) -> None:
    """Record the end of one object type; a mismatch with what arrived is recorded as an event
    (the import continues with what it received)."""
    row = _open_import(conn, portal_id, app_id, started_at, store_id)
    types = {t.object_type: t for t in repo.get_types(conn, row.id)}
    current = types[object_type]
    if not repo.mark_ended(conn, row.id, object_type, page_count, item_count, now_ms()):
        raise Conflict(
            f"{object_type} of the import started at {started_at} has already ended "
            f"(pageCount {current.end_page_count}, itemCount {current.end_item_count})."
        )
    received = f"{current.received_pages} pages / {current.received_items} items"
    if (page_count, item_count) != (current.received_pages, current.received_items):
        message = (
            f"{object_type} ended with a mismatch: the end announced {page_count} pages / "
            f"{item_count} items, {received} arrived; the import continues with what arrived."
        )
    else:
        message = f"{object_type} ended: {received}."
    if current.announced is not None and current.announced != current.received_items:
        message += f" The webhook had announced {current.announced} items."
    add_event(conn, row.id, message)
    finish_receiving(conn, row.id)


def finish_receiving(conn: Connection, import_id: int) -> None:
    """Once the counts are known and all four types have ended, queue the apply."""
    row = repo.get_import(conn, import_id, for_update=True)
    if row is None or row.state != RECEIVING:
        return
    if any(t.ended_at is None for t in repo.get_types(conn, import_id)):
        return
    add_event(conn, import_id, "All object types ended; applying the import.", state=PROCESSING)
    enqueue(conn, IMPORT_APPLY, import_id, row.portal_id)


def get_page(
    conn: Connection, portal_id: int, app_id: int, started_at: int, object_type: str, number: int
) -> list[Message]:
    row = find_import(conn, portal_id, app_id, started_at, None)
    payload = repo.get_page(conn, row.id, object_type, number)
    if payload is None:
        raise NotFound(
            f"Page {number} of {object_type} was not received for the import started at "
            f"{started_at}."
        )
    return decode_messages(payload)
