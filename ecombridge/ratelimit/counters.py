"""Where requests are counted: in the process (one API process, the SQLite default) or in the
database, shared by every API process (PostgreSQL, N API processes behind a load balancer).

Both count a request and judge it in one step; a rejected request is not counted, so a client
that keeps retrying does not extend its own wait. The database store does it in one short
transaction per request: an upsert of the current window's row and of the day's row, and a read
of the previous window's row (``docs/api-limits.md`` has what it costs).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ecombridge.db.engine import Database
from ecombridge.ratelimit import repository as repo
from ecombridge.ratelimit.policy import Counts, Verdict

CLEANUP_EVERY_MS = 60_000


@dataclass(frozen=True)
class Keys:
    """The counters one request touches, with when each may be forgotten (epoch ms)."""

    previous: str
    current: str
    current_expires_at: int
    daily: str | None
    daily_expires_at: int


Judge = Callable[[Counts], Verdict]


class Counters(Protocol):
    def hit(self, keys: Keys, judge: Judge, now_ms: int) -> Verdict: ...

    def daily_usage(self, key: str, now_ms: int) -> int: ...


class MemoryCounters:
    """Counters of this process alone: exact and free, but per process."""

    def __init__(self) -> None:
        self._hits: dict[str, tuple[int, int]] = {}  # key -> (hits, expires_at)
        self._lock = threading.Lock()
        self._next_cleanup = 0

    def _get(self, key: str, now_ms: int) -> int:
        hits, expires_at = self._hits.get(key, (0, 0))
        return hits if expires_at > now_ms else 0

    def hit(self, keys: Keys, judge: Judge, now_ms: int) -> Verdict:
        with self._lock:
            if now_ms >= self._next_cleanup:
                self._hits = {k: v for k, v in self._hits.items() if v[1] > now_ms}
                self._next_cleanup = now_ms + CLEANUP_EVERY_MS
            current = self._get(keys.current, now_ms) + 1
            daily = self._get(keys.daily, now_ms) + 1 if keys.daily else 0
            verdict = judge(Counts(self._get(keys.previous, now_ms), current, daily))
            if verdict.allowed:
                self._hits[keys.current] = (current, keys.current_expires_at)
                if keys.daily:
                    self._hits[keys.daily] = (daily, keys.daily_expires_at)
            return verdict

    def daily_usage(self, key: str, now_ms: int) -> int:
        with self._lock:
            return self._get(key, now_ms)


class DatabaseCounters:
    """Counters in the ``rate_limit_counters`` table, shared by every process of the database.
    Concurrent requests of one credential queue on its window row's lock for the length of a
    short transaction (one statement on PostgreSQL), so the count is exact across processes."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._next_cleanup = 0

    def hit(self, keys: Keys, judge: Judge, now_ms: int) -> Verdict:
        try:
            with self.database.write() as conn:
                repo.relax_durability(conn)
                previous, current, daily = repo.count_hit(
                    conn,
                    keys.current,
                    keys.current_expires_at,
                    keys.daily,
                    keys.daily_expires_at,
                    keys.previous,
                    now_ms,
                )
                verdict = judge(Counts(previous, current, daily))
                if not verdict.allowed:
                    raise _Rejected(verdict)  # rolls the counting back
                if now_ms >= self._next_cleanup:
                    self._next_cleanup = now_ms + CLEANUP_EVERY_MS
                    repo.delete_expired(conn, now_ms)
        except _Rejected as rejected:
            return rejected.verdict
        return verdict

    def daily_usage(self, key: str, now_ms: int) -> int:
        with self.database.read() as conn:
            return repo.hits(conn, key, now_ms)


def make_counters(store: str, database: Database) -> Counters:
    """``memory``, ``database``, or ``auto``: the database on PostgreSQL (where several API
    processes may serve one database), memory on SQLite (served by one process)."""
    if store == "database" or (store == "auto" and not database.is_sqlite):
        return DatabaseCounters(database)
    if store in ("memory", "auto"):
        return MemoryCounters()
    raise ValueError(f"ECOMBRIDGE_RATE_LIMIT_STORE: {store!r} is not memory, database or auto.")


class _Rejected(Exception):
    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
