"""Worker processes: those ``ecombridge worker --concurrency N`` runs and those ``ecombridge
serve`` starts beside its API.

Applying batches is CPU-bound Python, and threads of one process share one core (the GIL): with
its worker in a process of its own, the API accepts on one core while the worker applies on the
other (measured on 2 cores, SQLite, ``ecombridge bench sync``: 15,600 messages/s applied end to
end against 11,400 with the worker as a thread of the API process; docs/performance.md). The
API process wakes the workers it started when it queues work, through a ``multiprocessing``
event; each of them stops when the process that started it is gone.

``serve`` runs its workers at a lower CPU priority (``SERVE_WORKER_NICENESS``): when the cores are
busy, the API answers first and the worker takes the time left, which keeps accept latency low
under load (p99 at 14,000 messages/s: 21-25 ms instead of 40 ms in the measurements of
docs/performance.md) for about the same applied rate.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from multiprocessing.context import SpawnProcess
from typing import Any

from ecombridge.config import get_config
from ecombridge.db.engine import Database
from ecombridge.observability import redaction
from ecombridge.queue.notify import WakeUp, wake_also
from ecombridge.queue.worker import Worker, WorkerOptions
from ecombridge.runtime import tune_gc

PARENT_CHECK_S = 1.0
SERVE_WORKER_NICENESS = 10


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


class WorkerProcesses:
    """``count`` worker processes on the database at ``url``, woken by enqueues in this
    process on ``db`` (the API's database object), at ``niceness``."""

    def __init__(
        self, url: str, count: int, options: WorkerOptions | None = None, niceness: int = 0
    ) -> None:
        self.url = url
        self.count = count
        self.options = options or WorkerOptions()
        self.niceness = niceness
        self._context = multiprocessing.get_context("spawn")
        self._wakeup: Any = self._context.Event()
        self.processes: list[SpawnProcess] = []

    def start(self, db: Database | None = None, *, watch_parent: bool = True) -> None:
        if db is not None:
            wake_also(db, self._wakeup)
        parent = os.getpid() if watch_parent else None
        for i in range(self.count):
            name = f"worker-{i + 1}"
            process = self._context.Process(
                target=run_worker_process,
                args=(self.url, self.options, name, self._wakeup, parent, self.niceness),
                name=name,
            )
            process.start()
            self.processes.append(process)

    def terminate(self) -> None:
        """SIGTERM: each finishes the jobs in hand and gives back those not started."""
        for process in self.processes:
            if process.is_alive():
                process.terminate()

    def stop(self, timeout_s: float = 30.0) -> None:
        """``terminate``, then wait for each (killed if it takes over ``timeout_s``)."""
        self.terminate()
        for process in self.processes:
            process.join(timeout_s)
            if process.is_alive():
                process.kill()
                process.join()

    def join(self) -> None:
        for process in self.processes:
            process.join()
