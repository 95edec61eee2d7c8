"""What the PostgreSQL server and the workers did during the sync benchmark's throughput phase,
per 1,000 messages, and what the server's backends waited on.

Counts, not timings, where they exist: transactions and rows from ``pg_stat_database``; CPU
seconds of the database's backends (``/proc/<pid>/stat`` of the pids ``pg_stat_activity``
lists: the server runs on this machine) and of the bridge's processes; and every 100 ms the
wait event of each active backend (``CPU`` when it waits on nothing) and the locks not granted
(``pg_locks``), so that workers waiting on each other show as ``Lock`` waits.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from typing import Any

import sqlalchemy as sa

TICKS = os.sysconf("SC_CLK_TCK")
COUNTERS = (
    "xact_commit",
    "xact_rollback",
    "tup_inserted",
    "tup_updated",
    "tup_deleted",
    "tup_fetched",
    "blks_read",
    "blks_hit",
)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (None once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


class PgObserver:
    def __init__(self, url: str, process_pids: dict[str, int], every_s: float = 0.1) -> None:
        self.engine = sa.create_engine(url, pool_size=1, max_overflow=0)
        self.process_pids = process_pids
        self.every_s = every_s
        self.waits: Counter[str] = Counter()
        self.samples = 0
        self.ungranted = 0
        self.lock_samples = 0  # samples in which some backend waited on a lock
        self.backend_first: dict[int, float] = {}
        self.backend_last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pg-observer", daemon=True)

    def _stats(self, conn: sa.Connection) -> dict[str, int]:
        columns = ", ".join(COUNTERS)
        query = f"SELECT {columns} FROM pg_stat_database WHERE datname = current_database()"
        row = conn.exec_driver_sql(query).one()
        return {name: int(value) for name, value in zip(COUNTERS, row, strict=True)}

    def start(self) -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
            self.before = self._stats(conn)
            for pid in self._backends(conn):
                seconds = cpu_seconds(pid)
                if seconds is not None:
                    self.backend_first[pid] = self.backend_last[pid] = seconds
        self.process_before = {
            name: (pid, cpu_seconds(pid) or 0.0) for name, pid in self.process_pids.items()
        }
        self._thread.start()

    def _backends(self, conn: sa.Connection) -> list[int]:
        query = (
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return [int(pid) for pid in conn.exec_driver_sql(query).scalars()]

    def _run(self) -> None:
        activity = (
            "SELECT pid, state, wait_event_type, wait_event FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        with self.engine.connect() as conn:
            while not self._stop.wait(self.every_s):
                with conn.begin():
                    rows = conn.exec_driver_sql(activity).all()
                    ungranted = conn.exec_driver_sql(
                        "SELECT count(*) FROM pg_locks WHERE NOT granted"
                    ).scalar_one()
                self.samples += 1
                self.ungranted += int(ungranted)
                locked = False
                for pid, state, wait_type, wait_event in rows:
                    seconds = cpu_seconds(pid)
                    if seconds is not None:
                        self.backend_first.setdefault(pid, 0.0)  # born during the phase
                        self.backend_last[pid] = seconds
                    if state == "active":
                        self.waits[f"{wait_type}:{wait_event}" if wait_type else "CPU"] += 1
                        locked = locked or wait_type == "Lock"
                self.lock_samples += locked

    def stop(self, messages: int) -> dict[str, Any]:
        self._stop.set()
        self._thread.join(timeout=10)
        with self.engine.connect() as conn:
            after = self._stats(conn)
        self.engine.dispose()
        per_k = 1000 / max(1, messages)
        server_cpu = sum(self.backend_last[p] - self.backend_first[p] for p in self.backend_last)
        processes = {
            name: round(((cpu_seconds(pid) or 0.0) - before) * per_k * 1000, 2)
            for name, (pid, before) in self.process_before.items()
        }
        return {
            "per_1000_messages": {
                name: round((after[name] - self.before[name]) * per_k, 2) for name in COUNTERS
            }
            | {"server_cpu_ms": round(server_cpu * per_k * 1000, 2)},
            "bridge_process_cpu_ms_per_1000_messages": processes,
            "samples": self.samples,
            "active_backend_waits": dict(self.waits.most_common()),
            "samples_with_a_lock_wait": self.lock_samples,
            "ungranted_locks_per_sample": round(self.ungranted / max(1, self.samples), 3),
        }
