"""Prometheus metrics of the sync pipeline.

Usage from the code that accepts and applies sync messages::

    from ecombridge.observability import metrics

    metrics.record_accepted("CONTACT", len(messages))        # intake accepted a batch
    with metrics.time_apply("CONTACT"):                      # one batch applied
        apply_batch(conn, ctx, messages, processed_at)
    metrics.record_applied("CONTACT", "success", 10)          # per outcome: see OUTCOMES
    metrics.record_applied("CONTACT", "error", 2)
    metrics.record_error("MISSING_REQUIRED_PROPERTY")         # one sync error recorded

The helpers never raise on labels: unknown object types or outcomes are recorded as given.
Counters and the histogram live in ``REGISTRY`` (not prometheus-client's global registry), defined
once at import, so any number of applications in one process share them without duplicate
registration. Queue gauges are not kept in memory: ``render`` computes them from the ``jobs`` table
at scrape time, so they are right whichever process enqueues or runs the jobs.

Counters are per process. When the workers run in other processes than the HTTP server, set
``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode) in every process before it
starts; ``render`` then aggregates the counters of all of them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from ecombridge.clock import now_ms
from ecombridge.db import inbox
from ecombridge.db import tables as t
from ecombridge.db.engine import Database
from ecombridge.relay.metrics import RelayCollector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Outcomes of one applied message.
OUTCOMES = ("success", "error", "skipped")

REGISTRY = CollectorRegistry(auto_describe=True)

MESSAGES_ACCEPTED = Counter(
    "ecombridge_sync_messages_accepted",
    "Sync messages accepted by the HTTP intake (v1, v2 and import pages).",
    ["object_type"],
    registry=REGISTRY,
)
MESSAGES_APPLIED = Counter(
    "ecombridge_sync_messages_applied",
    "Sync messages applied to the CRM, by outcome (success, error, skipped as stale or deleted).",
    ["object_type", "outcome"],
    registry=REGISTRY,
)
SYNC_ERRORS = Counter(
    "ecombridge_sync_errors",
    "Sync errors recorded, by error type.",
    ["type"],
    registry=REGISTRY,
)
APPLY_SECONDS = Histogram(
    "ecombridge_sync_apply_seconds",
    "Time taken to apply one batch of sync messages, in seconds.",
    ["object_type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
    registry=REGISTRY,
)


def record_accepted(object_type: str, count: int = 1) -> None:
    """Messages of one object type accepted for asynchronous processing."""
    if count > 0:
        MESSAGES_ACCEPTED.labels(object_type=object_type).inc(count)


def record_applied(object_type: str, outcome: str, count: int = 1) -> None:
    """Messages applied, with their outcome (one of ``OUTCOMES``)."""
    if count > 0:
        MESSAGES_APPLIED.labels(object_type=object_type, outcome=outcome).inc(count)


def record_error(error_type: str, count: int = 1) -> None:
    """Sync errors recorded, by their error type (e.g. INVALID_EMAIL)."""
    if count > 0:
        SYNC_ERRORS.labels(type=error_type).inc(count)


def observe_apply_seconds(object_type: str, seconds: float) -> None:
    APPLY_SECONDS.labels(object_type=object_type).observe(seconds)


@contextmanager
def time_apply(object_type: str) -> Iterator[None]:
    """Times the block as the apply of one batch (recorded even when it raises)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        observe_apply_seconds(object_type, time.perf_counter() - started)


class QueueCollector(Collector):
    """Queue depth and the age of the oldest queued job, read from the ``jobs`` table and,
    on SQLite, the intake's inbox."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterable[Metric]:
        depth = GaugeMetricFamily(
            "ecombridge_queue_depth", "Jobs due to run or running, by kind.", labels=["kind"]
        )
        oldest = GaugeMetricFamily(
            "ecombridge_queue_oldest_age_seconds",
            "Age of the oldest job still waiting to run (0 when none), in seconds.",
        )
        # Jobs scheduled for later (a workflow email due tomorrow) are not waiting yet: a queue
        # is deep or stuck by the jobs that are due, counted from when they fell due.
        now = now_ms()
        jobs = t.jobs.c
        due = sa.and_(jobs.status == "QUEUED", jobs.run_after <= now)
        waiting = sa.or_(due, jobs.status == "RUNNING")
        with self.database.read() as conn:
            rows = conn.execute(
                sa.select(jobs.kind, sa.func.count()).where(waiting).group_by(jobs.kind)
            ).all()
            oldest_created = conn.execute(
                sa.select(sa.func.min(jobs.run_after)).where(due)
            ).scalar()
        counts = {str(kind): int(count) for kind, count in rows}
        # Batches still in a SQLite inbox are SYNC_BATCH jobs not yet filed in the table.
        in_inbox, oldest_in_inbox = inbox.waiting(self.database)
        if in_inbox:
            counts["SYNC_BATCH"] = counts.get("SYNC_BATCH", 0) + in_inbox
            times = [at for at in (oldest_created, oldest_in_inbox) if at is not None]
            oldest_created = min(times)
        for kind, count in sorted(counts.items()):
            depth.add_metric([kind], float(count))
        age = 0.0 if oldest_created is None else max(0.0, (now - oldest_created) / 1000)
        oldest.add_metric([], age)
        return [depth, oldest]


def render(database: Database) -> bytes:
    """The Prometheus text exposition: counters and histogram plus the queue and relay
    gauges."""
    multiproc_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if multiproc_dir:
        shared = CollectorRegistry()
        MultiProcessCollector(shared, path=multiproc_dir)  # type: ignore[no-untyped-call]
        counters = generate_latest(shared)
    else:
        counters = generate_latest(REGISTRY)
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(QueueCollector(database))
    scrape.register(RelayCollector(database))
    return counters + generate_latest(scrape)
