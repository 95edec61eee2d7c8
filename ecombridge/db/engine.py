"""Engines and the two kinds of transaction the bridge uses.

SQLite allows one writer at a time. Rather than let concurrent writers collide and spin in SQLite's
busy handler, writers are serialised on purpose: each process holds a lock around its write
transactions, and every write transaction starts with ``BEGIN IMMEDIATE`` so that writers in other
processes queue on the database lock (``busy_timeout``) instead of failing half way. Readers use
plain deferred transactions and never wait for writers (WAL).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ecombridge.bench import statement_count

SQLITE_BUSY_TIMEOUT_MS = 60_000
SQLITE_PAGE_SIZE = 16_384


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_file(url: sa.URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def make_engine(url: str, *, sqlite_synchronous: str = "FULL", pool_size: int = 10) -> Engine:
    parsed = sa.make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        engine = sa.create_engine(
            parsed, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
        )
        statement_count.install_if_asked(engine)  # only under the benchmarks
        return engine

    path = _sqlite_file(parsed)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        parsed,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=pool_size,
        max_overflow=pool_size,
    )

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN, instead of pysqlite's own guesses.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        # Takes effect only while the file is still empty (a new database): 16 KiB pages wrote
        # the apply's rows 10-12% faster than the default 4 KiB (docs/performance.md).
        cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={sqlite_synchronous}")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "DEFERRED" if conn.get_execution_options().get("readonly") else "IMMEDIATE"
        conn.exec_driver_sql(f"BEGIN {mode}")

    statement_count.install_if_asked(engine)  # only under the benchmarks
    return engine


class Database:
    """The one database that holds the whole state, with its write discipline."""

    def __init__(self, url: str, *, sqlite_synchronous: str = "FULL", pool_size: int = 10):
        self.url = normalise_url(url)
        self.sqlite_synchronous = sqlite_synchronous
        self.engine = make_engine(url, sqlite_synchronous=sqlite_synchronous, pool_size=pool_size)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._write_lock: threading.Lock | None = threading.Lock() if self.is_sqlite else None
        self._inbox: Inbox | None = None
        self._inbox_lock = threading.Lock()
        self._page_store: Database | None = None
        self.closed = False  # disposed: background threads using it stop
        _by_engine[id(self.engine)] = self

    @property
    def inbox(self) -> Inbox | None:
        """The intake's inbox file of a SQLite database file (``ecombridge.db.inbox``), opened
        (and created) on first use; None on PostgreSQL and for in-memory databases."""
        if self._inbox is not None or not self.is_sqlite:
            return self._inbox
        from ecombridge.db import inbox

        path = inbox.inbox_path(self.engine.url.database)
        if path is None:
            return None
        with self._inbox_lock:
            if self._inbox is None:
                database = Database(
                    f"sqlite:///{path}", sqlite_synchronous=self.sqlite_synchronous, pool_size=4
                )
                with database.write() as conn:
                    identity = inbox.create_schema(conn)
                self._inbox = Inbox(database, identity)
        return self._inbox

    @property
    def page_store(self) -> Database:
        """Where import pages are stored (``ecombridge.db.page_store``): a file of their own
        beside a SQLite database file, opened (and created) on first use; the database itself on
        PostgreSQL and for in-memory databases."""
        if self._page_store is not None:
            return self._page_store
        from ecombridge.db import page_store

        path = page_store.store_path(self.engine.url.database) if self.is_sqlite else None
        if path is None:
            self._page_store = self
            return self
        with self._inbox_lock:
            if self._page_store is None:
                database = Database(
                    f"sqlite:///{path}", sqlite_synchronous=self.sqlite_synchronous, pool_size=4
                )
                with database.write() as conn:
                    page_store.create_schema(conn)
                self._page_store = database
        return self._page_store

    @property
    def has_own_page_store(self) -> bool:
        return self.page_store is not self

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        with self._write_lock or nullcontext(), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction that never waits for writers."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(readonly=True)
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        self.closed = True
        self.engine.dispose()
        if self._inbox is not None:
            self._inbox.database.dispose()
        if self._page_store is not None and self._page_store is not self:
            self._page_store.dispose()


_by_engine: weakref.WeakValueDictionary[int, Database] = weakref.WeakValueDictionary()


def database_of(conn: Connection) -> Database:
    """The Database a connection was taken from."""
    found = _by_engine.get(id(conn.engine))
    if found is None or found.engine is not conn.engine:
        raise LookupError("the connection's engine belongs to no Database")
    return found


@dataclass(frozen=True)
class Inbox:
    """An opened inbox: its database and the identity its batches are moved under."""

    database: Database
    identity: str
