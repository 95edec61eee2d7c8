"""Workers as threads of the API process (``ecombridge serve``), started by the app's lifespan.

The number comes from ``app.state.worker_count`` (0 when unset: tests and API-only servers start
none). In-process workers are woken by the intake's enqueue at once, without polling latency.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ecombridge.db.engine import Database
from ecombridge.queue.worker import Worker, WorkerOptions


class WorkerThreads:
    def __init__(self, db: Database, count: int, options: WorkerOptions | None = None) -> None:
        self.workers = [Worker(db, options, name=f"worker-thread-{i + 1}") for i in range(count)]
        self.threads = [
            threading.Thread(target=w.run, name=w.name, daemon=True) for w in self.workers
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        for worker in self.workers:
            worker.stop()
        for thread in self.threads:
            thread.join(timeout_s)


@asynccontextmanager
async def worker_lifespan(app: FastAPI) -> AsyncIterator[None]:
    count = int(getattr(app.state, "worker_count", 0) or 0)
    options: WorkerOptions | None = getattr(app.state, "worker_options", None)
    threads = WorkerThreads(app.state.database, count, options)
    threads.start()
    app.state.worker_threads = threads
    try:
        yield
    finally:
        threads.stop()
