"""Receiving an import: pages (stored durably as they arrive) and the end of each object type.

Pages are accepted while the import waits for the webhook's reply or receives (an integrator may
start sending before its reply to the webhook has been read). Every change locks the import row,
so ends and the switch to PROCESSING never race; with pages in a file of their own
(``ecombridge.db.page_store``) pages are written there, the import read from the main database,
and an end holds the page file's write turn until it commits (``page_writer.ending``). Received
pages are counted from the stored pages. Takes connections, never commits.

``receive_page`` stores one page; ``receive_pages`` the pages of concurrent requests that the
page writer (``page_writer``) commits together, with the same answer for each page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row

from ecombridge.clock import now_ms
from ecombridge.errors import BridgeError, Conflict, NotFound, ValidationFailed
from ecombridge.imports import repository as repo
from ecombridge.imports.pages import reading, types_with_received
from ecombridge.imports.service import (
    AWAITING_COUNTS,
    PROCESSING,
    RECEIVING,
    SETTINGS_IDS,
    add_event,
)
from ecombridge.queue.service import IMPORT_APPLY, schedule
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


@dataclass(frozen=True)
class IncomingPage:
    """A page to receive, its messages encoded as they are stored (``of`` encodes them)."""

    portal_id: int
    app_id: int
    started_at: int
    store_id: str | None  # None for v1 pages
    object_type: str
    page_number: int | None  # None: the next one
    item_count: int
    payload: bytes

    @classmethod
    def of(
        cls,
        portal_id: int,
        app_id: int,
        started_at: int,
        store_id: str | None,
        object_type: str,
        page_number: int | None,
        messages: list[Message],
    ) -> IncomingPage:
        return cls(
            portal_id,
            app_id,
            started_at,
            store_id,
            object_type,
            page_number,
            len(messages),
            encode_messages(messages),
        )


def receive_page(conn: Connection, store_conn: Connection, page: IncomingPage) -> int:
    """Store a page of an import; returns its page number (the next one when none was sent).
    ``conn`` reads the import (the main database), ``store_conn`` writes the page (the page
    store, which may be the same connection)."""
    object_type, started_at = page.object_type, page.started_at
    row = _open_import(conn, page.portal_id, page.app_id, started_at, page.store_id)
    state = {t.object_type: t for t in repo.get_types(conn, row.id)}.get(object_type)
    if state is None or state.ended_at is not None:
        raise _ended(object_type, started_at)
    number = page.page_number
    if number is None:
        number = repo.next_page_number(store_conn, row.id, object_type)
    now = now_ms()
    inserted = repo.insert_page(
        store_conn, row.id, object_type, number, page.item_count, page.payload, now
    )
    if not inserted:
        raise _duplicate(number, object_type, started_at)
    return number


def receive_pages(
    conn: Connection, store_conn: Connection, pages: Sequence[IncomingPage]
) -> list[int | BridgeError]:
    """Store several pages with a few statements for all of them. Each page is judged as
    ``receive_page`` would judge it had the pages arrived one after another in this order; the
    result is its page number, or the error that refused it (a refused page changes nothing).
    Only ``store_conn`` is written: received pages are counted from the stored pages."""
    outcomes: list[int | BridgeError] = [0] * len(pages)
    rows: dict[tuple[int, int, int, str | None], Row[Any]] = {}
    types: dict[int, dict[str, Row[Any]]] = {}
    buckets: dict[tuple[int, str], list[int]] = {}  # (import id, type) -> positions, in order
    for position, page in enumerate(pages):
        key = (page.portal_id, page.app_id, page.started_at, page.store_id)
        try:
            row = rows.get(key)
            if row is None:
                row = rows[key] = _open_import(conn, *key)
            if row.id not in types:
                types[row.id] = {t.object_type: t for t in repo.get_types(conn, row.id)}
            state = types[row.id].get(page.object_type)
            if state is None or state.ended_at is not None:
                raise _ended(page.object_type, page.started_at)
        except BridgeError as exc:
            outcomes[position] = exc
            continue
        buckets.setdefault((row.id, page.object_type), []).append(position)

    now = now_ms()
    inserts: list[dict[str, Any]] = []
    for (import_id, object_type), positions in buckets.items():
        numbering = _Numbering(store_conn, import_id, object_type, [pages[i] for i in positions])
        for position in positions:
            page = pages[position]
            number = numbering.take(page.page_number)
            if number is None:
                outcomes[position] = _duplicate(page.page_number, object_type, page.started_at)
                continue
            outcomes[position] = number
            inserts.append(
                {
                    "import_id": import_id,
                    "object_type": object_type,
                    "page_number": number,
                    "item_count": page.item_count,
                    "payload": page.payload,
                    "received_at": now,
                }
            )
    if inserts:
        repo.insert_pages(store_conn, inserts)
    return outcomes


class _Numbering:
    """The page numbers of one type of an import as the pages of a group take them."""

    def __init__(
        self, conn: Connection, import_id: int, object_type: str, pages: list[IncomingPage]
    ) -> None:
        sent = [p.page_number for p in pages if p.page_number is not None]
        self.taken = repo.taken_page_numbers(conn, import_id, object_type, sent) if sent else set()
        self.highest: int | None = None  # known only when a page asks for the next number
        if len(sent) < len(pages):
            self.highest = repo.next_page_number(conn, import_id, object_type) - 1

    def take(self, number: int | None) -> int | None:
        """The page's number, or None when it was already received."""
        if number is None:
            assert self.highest is not None
            number = self.highest + 1
        elif number in self.taken:
            return None
        self.taken.add(number)
        if self.highest is not None:
            self.highest = max(self.highest, number)
        return number


def _ended(object_type: str, started_at: int) -> Conflict:
    return Conflict(
        f"{object_type} of the import started at {started_at} has already ended; no more "
        "pages are accepted for it."
    )


def _duplicate(number: int | None, object_type: str, started_at: int) -> Conflict:
    return Conflict(
        f"pageNumber: page {number} of {object_type} was already received for the import "
        f"started at {started_at}; page numbers must be unique within an import."
    )


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
    types, _last = types_with_received(conn, row.id)
    current = next(t for t in types if t.object_type == object_type)
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
    # The apply's job normally waits in the queue already (it runs while pages arrive): this
    # brings it forward, or queues one for an import started before it did.
    schedule(conn, IMPORT_APPLY, import_id, row.portal_id, now_ms())


def get_page(
    conn: Connection, portal_id: int, app_id: int, started_at: int, object_type: str, number: int
) -> list[Message]:
    row = find_import(conn, portal_id, app_id, started_at, None)
    with reading(conn) as store_conn:
        payload = repo.get_page(store_conn, row.id, object_type, number)
    if payload is None:  # received before pages had a file of their own
        payload = repo.get_page(conn, row.id, object_type, number)
    if payload is None:
        raise NotFound(
            f"Page {number} of {object_type} was not received for the import started at "
            f"{started_at}."
        )
    return decode_messages(payload)
