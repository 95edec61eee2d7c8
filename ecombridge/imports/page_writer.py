"""Group commit for import pages: the pages of concurrent requests share one write transaction.

As for the sync intake (``ecombridge.queue.group_commit``): a commit is the dominant cost of a
page (an fsync with SQLite's ``synchronous=FULL``), so requests hand their decoded page to one
writer thread per database and wait; whatever arrived while the previous commit ran is written
together and committed once.

Unlike a sync batch, a page can be refused by what is in the database: its page number was
already received (409), its type has ended (409), its import is not open (400). The group is
received by ``receiving.receive_pages``, which judges each page as if the pages had arrived one
after another, stores the accepted ones with a few statements for all of them and returns each
page's own answer; a refused page changes nothing, so only its request gets the error and the
others are committed. Should receiving the group raise instead (a bug, a database error), its
transaction is rolled back and the pages are received again, each alone in a savepoint of one
new transaction, so that the failure stays with the page that caused it. No request is answered
before the commit: a 204 still means the page is durable, and if the commit fails every request
of the group gets the error (none of its pages was stored).

Pages are written in (portal, app, importStartedAt) order within a group, so writers in several
API processes on PostgreSQL take the locks of import rows in one order (no deadlock cycle).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager, nullcontext

from sqlalchemy.engine import Connection

from ecombridge.db.engine import Database
from ecombridge.db.per_database import PerDatabase
from ecombridge.imports import receiving
from ecombridge.imports.receiving import IncomingPage
from ecombridge.queue.group_commit import GroupCommitWriter
from ecombridge.queue.write_turn import turn_write, write_turn

log = logging.getLogger(__name__)

Pending = tuple[IncomingPage, "Future[int]"]


class PageWriter(GroupCommitWriter[IncomingPage, int]):
    """The page's future gets its page number once it is durable, or the error refusing it."""

    thread_name = "import-page-writer"  # groups of up to 64 pages (12,800 v2 messages)

    def write_group(self, group: list[Pending]) -> None:
        """Receive the pages in one transaction, then answer each request."""
        order = sorted(range(len(group)), key=lambda i: _lock_order(group[i][0]))
        pages = [group[i][0] for i in order]
        try:
            try:
                with receiving_conns(self.db) as (conn, store_conn):
                    sorted_outcomes = _receive_together(conn, store_conn, pages)
            except _GroupFailed:  # a bug or a database error: find the page, spare the others
                log.exception("%d pages failed together; receiving each alone", len(pages))
                with receiving_conns(self.db) as (conn, store_conn):
                    sorted_outcomes = [_receive_alone(conn, store_conn, page) for page in pages]
        except BaseException as exc:  # the commit (or the transaction) failed: nothing stored
            for _page, future in group:
                future.set_exception(exc)
            return
        outcomes: list[int | Exception] = [0] * len(group)
        for i, outcome in zip(order, sorted_outcomes, strict=True):
            outcomes[i] = outcome
        for (_page, future), outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


class _GroupFailed(Exception):
    """Receiving the group raised: its transaction is rolled back, and the pages retried."""


@contextmanager
def receiving_conns(db: Database) -> Iterator[tuple[Connection, Connection]]:
    """(main, page store) connections to receive pages with: the page store's write
    transaction, and a read transaction of the main database when the pages have a file of
    their own (``ecombridge.db.page_store``: receiving then never waits for the apply)."""
    store = db.page_store
    with turn_write(store) as store_conn:
        if store is db:
            yield store_conn, store_conn
        else:
            with db.read() as conn:
                yield conn, store_conn


@contextmanager
def ending(db: Database) -> Iterator[Connection]:
    """A write transaction of the main database in which a type may end. With a page file,
    receiving is held off until it commits: a page is stored either before the end (and
    counted by it) or refused after it, never in between."""
    store = db.page_store
    with write_turn(store).held() if store is not db else nullcontext(), turn_write(db) as conn:
        yield conn


def _receive_together(
    conn: Connection, store_conn: Connection, pages: list[IncomingPage]
) -> list[int | Exception]:
    try:
        return list(receiving.receive_pages(conn, store_conn, pages))
    except Exception as exc:
        raise _GroupFailed from exc


def _receive_alone(conn: Connection, store_conn: Connection, page: IncomingPage) -> int | Exception:
    """One page in its own savepoint: rolled back alone when it is refused or fails."""
    try:
        with store_conn.begin_nested():
            return receiving.receive_page(conn, store_conn, page)
    except Exception as exc:
        return exc


def _lock_order(sub: IncomingPage) -> tuple[int, int, int]:
    return sub.portal_id, sub.app_id, sub.started_at


_writers = PerDatabase(PageWriter)


def writer_for(db: Database) -> PageWriter:
    return _writers.get(db)


def submit(db: Database, submission: IncomingPage) -> Future[int]:
    return writer_for(db).submit(submission)


async def receive(db: Database, submission: IncomingPage) -> int:
    """Store a page with the next group commit; returns its page number once it is durable,
    raises the error that refused it (``BridgeError``) otherwise."""
    return await asyncio.wrap_future(submit(db, submission))
