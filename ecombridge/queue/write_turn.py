"""Taking turns at SQLite's write lock across processes, without polling.

SQLite lets one transaction write at a time. A process that finds the database locked waits in
SQLite's busy handler, which sleeps between attempts (up to 100 ms each): with the API and a
worker in separate processes, the intake's short transactions would keep losing the lock to the
worker's back-to-back groups and wait for hundreds of milliseconds. So the writers of the hot
path (intake, workers, import apply) first take an advisory lock on a file next to the database
(``flock``): a waiter is woken by the kernel the moment the lock is released. The lock only orders
writers; SQLite's own locking still guarantees correctness for any writer that does not take it.
Nothing to do on PostgreSQL or an in-memory database.
"""

from __future__ import annotations

import fcntl
import os
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import Connection

from ecombridge.db.engine import Database


class WriteTurn:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._fd: int | None = None
        # flock is held per open file: threads of one process take turns here first.
        self._lock = threading.Lock()

    @contextmanager
    def held(self) -> Iterator[None]:
        if self.path is None:
            yield
            return
        with self._lock:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _lock_path(db: Database) -> Path | None:
    if not db.is_sqlite:
        return None
    database = db.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(f"{database}-writelock")


_turns: weakref.WeakKeyDictionary[Database, WriteTurn] = weakref.WeakKeyDictionary()
_turns_lock = threading.Lock()


def write_turn(db: Database) -> WriteTurn:
    with _turns_lock:
        turn = _turns.get(db)
        if turn is None:
            turn = _turns[db] = WriteTurn(_lock_path(db))
            weakref.finalize(db, turn.close)
        return turn


_AFTER_COMMIT = "ecombridge.after_commit"


def after_commit(conn: Connection, fn: Callable[[], None]) -> None:
    """Run ``fn`` once the ``turn_write`` transaction of ``conn`` has committed (to count what it
    did, say); forgotten if it rolls back."""
    conn.info.setdefault(_AFTER_COMMIT, []).append(fn)


@contextmanager
def turn_write(db: Database) -> Iterator[Connection]:
    """``db.write()`` after this process's turn at the database's write lock; then the
    ``after_commit`` callbacks registered in it."""
    with write_turn(db).held(), db.write() as conn:
        try:
            yield conn
        finally:  # the connection goes back to the pool: never leave callbacks on it
            committed: list[Callable[[], None]] = conn.info.pop(_AFTER_COMMIT, [])
    for callback in committed:
        callback()
