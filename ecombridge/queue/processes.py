"""Worker processes: those ``ecombridge worker --concurrency N`` runs and those ``ecombridge
serve`` starts beside its API.

Applying batches is CPU-bound Python, and threads of one process share one core (the GIL): with
its worker in a process of its own, the API accepts on one core while the worker applies on the
other (measured on 2 cores, SQLite, ``ecombridge bench sync``: 15,600 messages/s applied end to
end against 11,400 with the worker as a thread of the API process; docs/performance.md). The
API process wakes the workers it started when it queues work, through a pipe each (never blocking
the API, ``ecombridge.queue.notify.PipeWakeUp``); each of them stops when the process that started
it is gone, and ``serve`` restarts one that dies (``WorkerProcesses``, supervised).

``serve`` runs its workers at a lower CPU priority (``SERVE_WORKER_NICENESS``): when the cores are
busy, the API answers first and the worker takes the time left, which keeps accept latency low
under load (p99 at 14,000 messages/s: 21-25 ms instead of 40 ms in the measurements of
docs/performance.md) for about the same applied rate.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
import time
from dataclasses import dataclass
from multiprocessing.context import SpawnProcess

from ecombridge.config import get_config
from ecombridge.db.engine import Database
from ecombridge.observability import redaction
from ecombridge.queue.notify import PipeWakeUp, WakeUp, stop_waking, wake_also
from ecombridge.queue.service import give_back_leased_by, new_token_prefix
from ecombridge.queue.worker import Worker, WorkerOptions
from ecombridge.queue.write_turn import turn_write
from ecombridge.runtime import tune_gc

PARENT_CHECK_S = 1.0
SERVE_WORKER_NICENESS = 10
SUPERVISE_INTERVAL_S = 0.5  # also how often a planned restart is checked for
RESTART_BACKOFF_S = 0.5
RESTART_BACKOFF_MAX_S = 30.0
STABLE_AFTER_S = 60.0  # a worker that lived this long starts again without backoff

log = logging.getLogger(__name__)


def run_worker_process(
    url: str,
    options: WorkerOptions,
    name: str,
    wakeup: WakeUp | None = None,
    parent_pid: int | None = None,
    niceness: int = 0,
) -> None:
    """The body of a worker process: work until SIGTERM / SIGINT (or, with ``parent_pid``,
    until that process is gone), at ``niceness`` (a lower CPU priority when positive)."""
    logging.basicConfig(
        level=get_config().log_level.upper(),
        format="%(asctime)s %(processName)s %(levelname)s %(name)s: %(message)s",
    )
    redaction.install()
    db = Database(url, sqlite_synchronous=get_config().sqlite_synchronous, pool_size=2)
    worker = Worker(db, options, name=name, wakeup=wakeup)
    worker.install_signal_handlers()
    if parent_pid is not None:
        threading.Thread(target=_stop_when_orphaned, args=(worker, parent_pid), daemon=True).start()
    if niceness:
        os.nice(niceness)
    tune_gc()
    try:
        worker.run()
    finally:
        db.dispose()


def _stop_when_orphaned(worker: Worker, parent_pid: int) -> None:
    while not worker.stopping.wait(PARENT_CHECK_S):
        if os.getppid() != parent_pid:
            worker.stop()


@dataclass
class _Slot:
    """One worker process of ``WorkerProcesses`` and what its supervision knows of it."""

    name: str
    process: SpawnProcess | None = None
    wakeup: PipeWakeUp | None = None
    token_prefix: str = ""
    started_at: float = 0.0
    failures: int = 0  # deaths in a row, each within STABLE_AFTER_S of its start
    restart_at: float | None = None


class WorkerProcesses:
    """``count`` worker processes on the database at ``url``, woken by enqueues in this
    process on ``db`` (the API's database object), at ``niceness``.

    With ``supervise`` (``ecombridge serve``), a thread watches them: a worker process that
    dies is logged, the jobs it held are given back to the queue at once (their lease tokens
    name it), and it is started again after a backoff (``restart_backoff_s``, doubling up to
    RESTART_BACKOFF_MAX_S while it keeps dying young).
    """

    def __init__(
        self,
        url: str,
        count: int,
        options: WorkerOptions | None = None,
        niceness: int = 0,
        restart_backoff_s: float = RESTART_BACKOFF_S,
    ) -> None:
        self.url = url
        self.count = count
        self.restart_backoff_s = restart_backoff_s
        self.options = options or WorkerOptions()
        self.niceness = niceness
        self._context = multiprocessing.get_context("spawn")
        self._slots = [_Slot(name=f"worker-{i + 1}") for i in range(count)]
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._db: Database | None = None
        self._parent: int | None = None
        self._supervisor: threading.Thread | None = None
        self.restarts = 0

    @property
    def processes(self) -> list[SpawnProcess]:
        with self._lock:
            return [slot.process for slot in self._slots if slot.process is not None]

    def alive(self) -> int:
        """How many worker processes are running now."""
        return sum(1 for process in self.processes if process.is_alive())

    def set(self) -> None:
        """Wake every worker process (never blocks: see ``PipeWakeUp``)."""
        with self._lock:  # pipes are closed under the lock: never write to a reused number
            for slot in self._slots:
                if slot.wakeup is not None:
                    slot.wakeup.set()

    def start(
        self, db: Database | None = None, *, watch_parent: bool = True, supervise: bool = False
    ) -> None:
        self._db = db
        if db is not None:
            wake_also(db, self)
        self._parent = os.getpid() if watch_parent else None
        for slot in self._slots:
            self._start_slot(slot)
        if supervise:
            if db is None:
                raise ValueError("supervision gives jobs back: it needs the database")
            self._supervisor = threading.Thread(
                target=self._supervise, name="worker-supervisor", daemon=True
            )
            self._supervisor.start()

    def _start_slot(self, slot: _Slot) -> None:
        """Start the slot's process; the lock is not held meanwhile (waking must not wait for
        a process start), only to put the new process and pipe in place."""
        wakeup = PipeWakeUp()
        token_prefix = new_token_prefix()
        options = dataclasses.replace(self.options, token_prefix=token_prefix)
        process = self._context.Process(
            target=run_worker_process,
            args=(self.url, options, slot.name, wakeup, self._parent, self.niceness),
            name=slot.name,
        )
        process.start()
        wakeup.close_reader()
        with self._lock:
            if slot.wakeup is not None:
                slot.wakeup.close()
            slot.wakeup, slot.process, slot.token_prefix = wakeup, process, token_prefix
            slot.started_at = time.monotonic()
            slot.restart_at = None
            stopped_meanwhile = self._stopping.is_set()
        if stopped_meanwhile:
            process.terminate()

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                sentinels = [s.process.sentinel for s in self._slots if s.process is not None]
            multiprocessing.connection.wait(sentinels, timeout=SUPERVISE_INTERVAL_S)
            if self._stopping.is_set():
                return
            for slot in self._slots:
                try:
                    self._check(slot)
                except Exception:
                    log.exception("supervising %s failed; trying again shortly", slot.name)
                    self._stopping.wait(SUPERVISE_INTERVAL_S)

    def _check(self, slot: _Slot) -> None:
        process = slot.process
        if process is not None and not process.is_alive():
            self._buried(slot, process)
        if slot.restart_at is not None and time.monotonic() >= slot.restart_at:
            if self._stopping.is_set():
                return
            self._start_slot(slot)
            self.restarts += 1
            log.warning("%s restarted (pid %s)", slot.name, slot.process and slot.process.pid)

    def _buried(self, slot: _Slot, process: SpawnProcess) -> None:
        """A worker process died: give its jobs back and plan its restart. When the database
        fails, nothing changes and the next round tries again."""
        if self._stopping.is_set():
            return
        process.join(0)
        assert self._db is not None
        with turn_write(self._db) as conn:
            requeued, failed = give_back_leased_by(conn, slot.token_prefix)
        lived = time.monotonic() - slot.started_at
        slot.failures = 0 if lived >= STABLE_AFTER_S else slot.failures + 1
        backoff = min(
            RESTART_BACKOFF_MAX_S, self.restart_backoff_s * 2 ** max(0, slot.failures - 1)
        )
        with self._lock:
            slot.process = None
            slot.restart_at = time.monotonic() + backoff
        log.error(
            "%s (pid %s) died (exit code %s) after %.1f s: %d of its jobs given back, %d parked; "
            "restarting it in %.1f s",
            slot.name,
            process.pid,
            process.exitcode,
            lived,
            requeued,
            failed,
            backoff,
        )
        if requeued:
            self.set()

    def terminate(self) -> None:
        """SIGTERM: each finishes the jobs in hand and gives back those not started."""
        self._stopping.set()
        for process in self.processes:
            if process.is_alive():
                process.terminate()

    def stop(self, timeout_s: float = 30.0) -> None:
        """``terminate``, then wait for each (killed if it takes over ``timeout_s``)."""
        self.terminate()
        if self._supervisor is not None:
            self._supervisor.join(timeout_s)
        for process in self.processes:
            process.join(timeout_s)
            if process.is_alive():
                process.kill()
                process.join()
        if self._db is not None:
            stop_waking(self._db, self)
        with self._lock:
            for slot in self._slots:
                if slot.wakeup is not None:
                    slot.wakeup.close()
                    slot.wakeup = None

    def join(self) -> None:
        for process in self.processes:
            process.join()
