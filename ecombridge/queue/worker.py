"""A worker: claims jobs under a lease and runs their handlers, one transaction per group.

Jobs are claimed several at a time (``claim_size``) so a deep queue costs one claim per group
(on SQLite, as many as fit a time budget, since other writers wait for the single writer; the
claim transaction first moves the intake's inbox into the queue, see ``Feeder``), and consecutive
jobs of the same in-transaction kind are run in one write transaction that also
marks them DONE: one commit (one fsync on SQLite) for the group. If anything in a group fails, the
group is rolled back and its jobs are run one by one, so one bad job never fails its neighbours.

Stopping (``stop()``, or SIGTERM/SIGINT through ``install_signal_handlers``) lets the group in
hand finish and gives the claimed jobs not yet started back to the queue.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import FrameType

from ecombridge.db.engine import Database
from ecombridge.observability.redaction import redact
from ecombridge.queue import service
from ecombridge.queue.handlers import (
    FEEDERS,
    MAINTENANCE,
    Handler,
    handler_for,
    load_handlers,
)
from ecombridge.queue.notify import WakeUp, foreground, wakeup_event
from ecombridge.queue.service import Job, RetryPolicy
from ecombridge.queue.write_turn import turn_write

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerOptions:
    claim_size: int = 32  # most jobs leased per claim; a SYNC_BATCH holds up to 200 messages
    # SQLite has one writer: other writes (API requests changing settings or stores, import
    # pages) wait for the worker's transaction, so a group is sized to take about this long
    # (measured). The sync intake does not wait: it commits to its own inbox file.
    sqlite_group_budget_s: float = 0.15
    lease_ms: int = service.DEFAULT_LEASE_MS
    poll_interval_s: float = 0.05  # idle polling, when no in-process wake-up arrives
    reap_interval_s: float = 5.0  # also prunes DONE jobs older than keep_done_ms
    maintenance_interval_s: float = 600.0  # the handlers' housekeeping (``MAINTENANCE``)
    keep_done_ms: int = 3_600_000
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Starts the lease token of every claim: names this worker process, so the process that
    # supervises it can give back its jobs the moment it dies (``service.give_back_leased_by``).
    token_prefix: str = ""


class Worker:
    def __init__(
        self,
        db: Database,
        options: WorkerOptions | None = None,
        name: str = "",
        wakeup: WakeUp | None = None,
    ) -> None:
        """``wakeup``: what wakes the worker when work arrives (default: this process's
        enqueues; a worker process started by ``serve`` gets one the API process sets)."""
        self.db = db
        self.options = options or WorkerOptions()
        self.name = name or f"worker-{id(self):x}"
        self.stopping = threading.Event()
        self._wakeup = wakeup if wakeup is not None else wakeup_event(db)
        self._foreground = foreground(db)
        self._seconds_per_job: float | None = None
        load_handlers()

    # -- the loop ------------------------------------------------------------------------------

    def run(self) -> None:
        """Work until ``stop()``."""
        log.info("%s started", self.name)
        next_reap = next_maintenance = 0.0
        while not self.stopping.is_set():
            if time.monotonic() >= next_reap:
                self._reap()
                next_reap = time.monotonic() + self.options.reap_interval_s
            if time.monotonic() >= next_maintenance:
                self.maintain()
                next_maintenance = time.monotonic() + self.options.maintenance_interval_s
            self._wakeup.clear()
            try:
                processed = self.run_once() if self._has_runnable() else 0
            except Exception:
                log.exception("%s: the database failed; retrying shortly", self.name)
                processed = 0
                self.stopping.wait(1.0)
            if processed == 0:
                self._wakeup.wait(self.options.poll_interval_s)
        log.info("%s stopped", self.name)

    def stop(self) -> None:
        self.stopping.set()
        self._wakeup.set()

    def install_signal_handlers(self) -> None:
        """SIGTERM and SIGINT stop the loop gracefully (main thread only)."""

        def _handle(signum: int, _frame: FrameType | None) -> None:
            log.info("%s: signal %d, stopping after the jobs in hand", self.name, signum)
            self.stopping.set()
            # A pipe's wake-up takes no lock, so it is safe here (a lock-based event's set()
            # could wait for this very thread); otherwise the loop sees the flag within a poll
            # interval.
            if getattr(self._wakeup, "signal_safe", False):
                self._wakeup.set()

        signal.signal(signal.SIGTERM, _handle)
        signal.signal(signal.SIGINT, _handle)

    def run_once(self, *, now: int | None = None) -> int:
        """Claim one group of runnable jobs and run them; returns how many were claimed."""
        self._foreground.wait_turn(0.1)
        limit = self._claim_size()
        with turn_write(self.db) as conn:
            for feeder in FEEDERS:
                feeder.queue(self.db, conn, limit)
            claimed = service.claim(
                conn,
                limit=limit,
                lease_ms=self.options.lease_ms,
                now=now,
                token_prefix=self.options.token_prefix,
            )
        started = time.perf_counter()
        self.process(claimed)
        if claimed:
            per_job = (time.perf_counter() - started) / len(claimed)
            previous = self._seconds_per_job
            self._seconds_per_job = per_job if previous is None else 0.7 * previous + 0.3 * per_job
        return len(claimed)

    def _claim_size(self) -> int:
        limit = self.options.claim_size
        if not self.db.is_sqlite or self._seconds_per_job is None:
            return limit
        fitting = int(self.options.sqlite_group_budget_s / max(self._seconds_per_job, 1e-6))
        return max(1, min(limit, fitting))

    def drain(self, *, now: int | None = None) -> int:
        """Run jobs until none is runnable (at ``now``); returns how many were run."""
        total = 0
        while True:
            processed = self.run_once(now=now)
            if processed == 0:
                return total
            total += processed

    # -- running claimed jobs ------------------------------------------------------------------

    def process(self, claimed: list[Job]) -> None:
        for position, (handler, group) in enumerate_groups(claimed):
            if self.stopping.is_set():
                self._release(claimed[position:])
                return
            if handler is None:
                self._fail(group[0], f"no handler registered for job kind {group[0].kind!r}")
            elif handler.in_transaction:
                self._run_in_transaction(handler, group)
            else:
                self._run_outside(handler, group[0])

    def _run_in_transaction(self, handler: Handler, group: list[Job]) -> None:
        self._foreground.wait_turn(0.1)
        try:
            with turn_write(self.db) as conn:
                # DONE first: jobs whose lease was lost are left out, never run twice.
                leased = service.finish_many(conn, group)
                runnable = [job for job in group if job.id in leased]
                if handler.run_group is not None and len(runnable) > 1:
                    handler.run_group(conn, runnable)
                else:
                    for job in runnable:
                        handler.run(conn, job)
        except Exception as exc:
            if len(group) > 1:
                for job in group:
                    self._run_in_transaction(handler, [job])
            else:
                self._fail(group[0], _describe(exc))

    def _run_outside(self, handler: Handler, job: Job) -> None:
        try:
            handler.run(self.db, job)
        except Exception as exc:
            self._fail(job, _describe(exc))
            return
        with turn_write(self.db) as conn:
            if not service.finish(conn, job):
                log.warning("%s: lost the lease of job %d before finishing it", self.name, job.id)

    def _fail(self, job: Job, error: str) -> None:
        log.warning(
            "%s: job %d (%s %d) failed: %s",
            self.name,
            job.id,
            job.kind,
            job.ref_id,
            error.splitlines()[-1] if error else "",
        )
        try:
            with turn_write(self.db) as conn:
                service.fail(conn, job, error, policy=self.options.retry)
        except Exception:
            # The lease will expire and the reaper will give the job back.
            log.exception("%s: could not record the failure of job %d", self.name, job.id)

    def _release(self, unstarted: list[Job]) -> None:
        with turn_write(self.db) as conn:
            for job in unstarted:
                service.release(conn, job)

    def _reap(self) -> None:
        try:
            with turn_write(self.db) as conn:
                requeued, failed = service.reap(conn)
                service.prune_done(conn, keep_ms=self.options.keep_done_ms)
        except Exception:
            log.exception("%s: reaping expired leases failed", self.name)
            return
        if requeued or failed:
            log.warning(
                "%s: expired leases: %d jobs requeued, %d parked", self.name, requeued, failed
            )

    def maintain(self) -> None:
        """The handlers' housekeeping, each in a transaction of its own."""
        for task in MAINTENANCE:
            try:
                with turn_write(self.db) as conn:
                    task(conn)
            except Exception:
                log.exception("%s: housekeeping %s failed", self.name, task.__name__)

    def _has_runnable(self) -> bool:
        if any(feeder.waiting(self.db) for feeder in FEEDERS):
            return True
        with self.db.read() as conn:
            return service.has_runnable(conn)


def enumerate_groups(claimed: list[Job]) -> Iterator[tuple[int, tuple[Handler | None, list[Job]]]]:
    """Consecutive jobs of one in-transaction kind form a group; others run alone. Yields the
    position of each group's first job with the group."""
    position = 0
    while position < len(claimed):
        first = claimed[position]
        try:
            handler: Handler | None = handler_for(first)
        except LookupError:
            handler = None
        end = position + 1
        if handler is not None and handler.in_transaction:
            while end < len(claimed) and claimed[end].kind == first.kind:
                end += 1
        yield position, (handler, claimed[position:end])
        position = end


def _describe(exc: BaseException) -> str:
    """The failure as stored in jobs.last_error (read by ``ecombridge jobs failed``)."""
    return redact("".join(traceback.format_exception(exc)).strip())


def drain(db: Database, *, now: int | None = None, options: WorkerOptions | None = None) -> int:
    """Run every runnable job synchronously in the calling thread (tests, admin commands)."""
    return Worker(db, options, name="drain").drain(now=now)
