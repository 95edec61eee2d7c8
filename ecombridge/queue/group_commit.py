"""Group commit: the writes of concurrent requests share one write transaction.

A commit is the dominant cost of a small write (an fsync with SQLite's ``synchronous=FULL``), and
SQLite has one writer anyway. So requests hand what they write to one writer thread per database
and wait for its commit: whatever arrived while the previous commit ran is written together and
committed once. A lone request waits for nothing but its own commit; under load the cost of a
commit is shared. Each request is answered only after its write is durable.

Subclasses write a group (``write_group``) and answer each request's future. In-process workers
let waiting requests write first (``ecombridge.queue.notify.Foreground``).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Generic, TypeVar

from ecombridge.db.engine import Database
from ecombridge.queue.notify import foreground

S = TypeVar("S")  # what a request submits
R = TypeVar("R")  # what it gets back once committed

IDLE_EXIT_S = 2.0  # the writer thread ends when idle this long, and restarts on demand


class GroupCommitWriter(Generic[S, R]):
    thread_name = "group-commit-writer"
    max_group = 64  # submissions per transaction

    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: list[tuple[S, Future[R]]] = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._in_flight = 0
        self._foreground = foreground(db)

    def submit(self, submission: S) -> Future[R]:
        """Queue a submission for the next commit; its future completes once it is durable
        (or with the error that refused it)."""
        future: Future[R] = Future()
        self._foreground.enter()
        future.add_done_callback(self._answered)
        with self._cond:
            self._in_flight += 1
            self._pending.append((submission, future))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name=self.thread_name, daemon=True
                )
                self._thread.start()
            self._cond.notify()
        return future

    def in_flight(self) -> int:
        """Submissions not yet answered."""
        with self._cond:
            return self._in_flight

    def write_group(self, group: list[tuple[S, Future[R]]]) -> None:
        """Write the group in one transaction, then answer every future."""
        raise NotImplementedError

    def _answered(self, _future: Future[R]) -> None:
        self._foreground.leave()
        with self._cond:
            self._in_flight -= 1

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._pending:
                    self._cond.wait(IDLE_EXIT_S)
                    if not self._pending:
                        self._thread = None
                        return
                size = self.max_group
                group, self._pending = self._pending[:size], self._pending[size:]
            self.write_group(group)
