"""Backpressure on the sync intake: past a ceiling of batches waiting to be applied (per portal,
and in all), a request is answered 429 with ``Retry-After`` in HubSpot's shape (category
``RATE_LIMITS``) instead of growing the queue without bound while the workers fall behind.

The check must cost nothing per request, so the depth is an estimate: counted from the database
(the queue and, on SQLite, the inbox) at most once per ``REFRESH_S`` by a background thread,
plus the batches this process accepted since. Several API processes each add only their own
acceptances between two counts, so the ceiling can be passed by a second's worth of batches.

A batch is noted as accepted after its commit. A count keeps the batches noted once it began
(they may have committed after its read) and drops those noted before (committed before, so
read): no batch is missed, and only one whose commit and noting straddle the start of a count
is counted twice, until the next count.
"""

from __future__ import annotations

import logging
import threading
import time

from ecombridge.config import Config
from ecombridge.db import inbox as inbox_db
from ecombridge.db.engine import Database
from ecombridge.db.per_database import PerDatabase
from ecombridge.errors import QueueFull
from ecombridge.sync import repository as repo

log = logging.getLogger(__name__)

REFRESH_S = 1.0
IDLE_STOP_S = 30.0  # the counting thread stops after this long without requests
RETRY_AFTER_S = 10


class QueueDepth:
    """The estimated number of sync batches waiting to be applied, per portal."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._counted: dict[int, int] = {}
        self._counted_total = 0
        # Accepted here: before the count under way began (in it), then since (maybe not).
        self._before: dict[int, int] = {}
        self._before_total = 0
        self._since: dict[int, int] = {}
        self._since_total = 0
        self._last_use = 0.0
        self._thread: threading.Thread | None = None
        self.counted_at = 0.0

    def of(self, portal_id: int) -> tuple[int, int]:
        """(the portal's depth, the total depth), as estimated now."""
        with self._lock:
            self._last_use = time.monotonic()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._count_while_used, name="queue-depth", daemon=True
                )
                self._thread.start()
            accepted = self._before.get(portal_id, 0) + self._since.get(portal_id, 0)
            total = self._counted_total + self._before_total + self._since_total
            return self._counted.get(portal_id, 0) + accepted, total

    def accepted(self, portal_id: int, batches: int = 1) -> None:
        """Note batches of the portal committed (call after the commit)."""
        with self._lock:
            self._since[portal_id] = self._since.get(portal_id, 0) + batches
            self._since_total += batches

    def count_now(self) -> None:
        """Count the queue (the background thread does, once per REFRESH_S)."""
        with self._lock:  # noted so far: committed before the read below begins
            for portal_id, batches in self._since.items():
                self._before[portal_id] = self._before.get(portal_id, 0) + batches
            self._before_total += self._since_total
            self._since, self._since_total = {}, 0
        counted = repo_counts(self.db)
        with self._lock:
            self._counted = counted
            self._counted_total = sum(counted.values())
            self._before, self._before_total = {}, 0
            self.counted_at = time.monotonic()

    def _count_while_used(self) -> None:
        while not self.db.closed:
            try:
                self.count_now()
            except Exception:
                log.exception("counting the sync queue failed; the last count stands")
            time.sleep(REFRESH_S)
            with self._lock:
                if time.monotonic() - self._last_use > IDLE_STOP_S:
                    self._thread = None
                    return
        # Disposed while counting: close what the last count opened in the engine's new pool.
        self.db.engine.dispose()
        with self._lock:
            self._thread = None


def repo_counts(db: Database) -> dict[int, int]:
    with db.read() as conn:
        counts = repo.queued_batches_by_portal(conn)
    for portal_id, waiting in inbox_db.waiting_by_portal(db).items():
        counts[portal_id] = counts.get(portal_id, 0) + waiting
    return counts


_depths = PerDatabase(QueueDepth)


def depth_of(db: Database) -> QueueDepth:
    return _depths.get(db)


def admit(db: Database, config: Config, portal_id: int) -> None:
    """Raise ``QueueFull`` (429) when the portal's or the bridge's queue is at its ceiling."""
    per_portal, overall = config.max_queued_batches_per_portal, config.max_queued_batches
    if per_portal <= 0 and overall <= 0:
        return
    portal_depth, total_depth = depth_of(db).of(portal_id)
    if per_portal > 0 and portal_depth >= per_portal:
        raise _full(f"{portal_depth} batches of this portal are waiting to be applied")
    if overall > 0 and total_depth >= overall:
        raise _full(f"{total_depth} batches are waiting to be applied")


def _full(what: str) -> QueueFull:
    return QueueFull(
        f"The bridge is behind: {what}. Retry after {RETRY_AFTER_S} seconds.",
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )
