"""Reading an import's pages where they are stored (``Database.page_store``) from a connection
of the main database, and the per-type counts that include them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from sqlalchemy.engine import Connection

from ecombridge.db.engine import database_of
from ecombridge.imports import repository as repo


@contextmanager
def reading(conn: Connection) -> Iterator[Connection]:
    """A connection that sees the stored pages: ``conn`` itself when pages live in its
    database, else a read transaction of the page file (never waits for writers)."""
    try:
        db = database_of(conn)
    except LookupError:
        yield conn
        return
    store = db.page_store
    if store is db:
        yield conn
        return
    with store.read() as store_conn:
        yield store_conn


def types_with_received(conn: Connection, import_id: int) -> tuple[list[Any], int | None]:
    """The import's per-type rows with ``received_pages`` and ``received_items`` counted from its
    stored pages (plus what the rows counted themselves, for imports received before pages were
    counted from the pages), and when its last page arrived (None: no page yet)."""
    with reading(conn) as store_conn:
        received = repo.received_in_pages(store_conn, import_id)
    types: list[Any] = []
    for t in repo.get_types(conn, import_id):
        values = t._asdict()
        pages, items, _last = received.get(t.object_type, (0, 0, 0))
        values["received_pages"] = int(t.received_pages or 0) + pages
        values["received_items"] = int(t.received_items or 0) + items
        types.append(SimpleNamespace(**values))
    last = max((r[2] for r in received.values()), default=None)
    return types, last
