"""The sync benchmark: a generated store pushed over HTTP in 200-message v2 batches by K
concurrent clients, as integrations do, against real server and worker processes.

Phase 1 (throughput) sends everything as fast as the clients can and waits until the queue is
drained: accepted and applied-end-to-end messages/s. Paced phases then send fresh data at fixed
rates to measure accept latency and freshness (from the 204 to the object's sync status showing
it processed). Freshness is observed by reading the sync status row the status endpoint serves,
straight from the database, so that observing does not load the API being measured.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
import sqlalchemy as sa

from ecombridge.bench.generator import Store, generate, settings_body
from ecombridge.bench.pg_observer import PgObserver
from ecombridge.db import inbox
from ecombridge.db.engine import Database
from ecombridge.db.tables import jobs, sync_objects

STORE_ID = "bench-store"
SUSTAINABLE_SHARE = 0.8


@dataclass
class Batch:
    object_type: str
    body: bytes
    size: int
    probe_id: str  # the last message's id: its status shows when the batch was applied


@dataclass
class Timings:
    sent: list[float] = field(default_factory=list)
    accepted: list[float] = field(default_factory=list)
    fresh: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def encode_batches(store: Store) -> list[Batch]:
    encoder = msgspec.json.Encoder()
    return [
        Batch(
            object_type,
            encoder.encode({"storeId": STORE_ID, "objectType": object_type, "messages": msgs}),
            len(msgs),
            str(msgs[-1]["externalObjectId"]),
        )
        for object_type, msgs in store.batches()
    ]


def prefixed(store: Store, prefix: str) -> Store:
    """The same store under other external ids (fresh objects for a later phase)."""
    renamed = Store()
    for object_type, messages in store.messages.items():
        out = renamed.messages[object_type]
        for message in messages:
            copy = dict(message, externalObjectId=f"{prefix}{message['externalObjectId']}")
            if "associations" in message:
                copy["associations"] = {
                    k: [f"{prefix}{v}" for v in ids] for k, ids in message["associations"].items()
                }
            out.append(copy)
    return renamed


def set_up_portal(base_url: str, api_key: str) -> None:
    with httpx.Client(base_url=base_url, params={"hapikey": api_key}, timeout=30) as client:
        client.put("/extensions/ecomm/v2/settings", json=settings_body()).raise_for_status()
        store = {"id": STORE_ID, "label": "Benchmark store", "adminUri": "https://shop.example"}
        client.put("/extensions/ecomm/v2/stores", json=store).raise_for_status()


def percentile(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def pending_jobs(db: Database) -> int:
    """Batches not applied yet: queued or running, or still in the SQLite inbox."""
    with db.read() as conn:
        query = sa.select(sa.func.count()).where(
            jobs.c.kind == "SYNC_BATCH", jobs.c.status.in_(["QUEUED", "RUNNING"])
        )
        queued = int(conn.execute(query).scalar_one())
    return queued + inbox.waiting(db)[0]


def wait_drained(db: Database, timeout_s: float) -> float:
    deadline = time.monotonic() + timeout_s
    while pending_jobs(db) > 0:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the queue was not drained within {timeout_s:.0f} s")
        time.sleep(0.02)
    return time.perf_counter()


def send_all(
    base_url: str,
    api_key: str,
    batches: list[Batch],
    concurrency: int,
    schedule: Callable[[int], float] | None = None,
    on_accepted: Callable[[Batch, float], None] | None = None,
) -> Timings:
    """Send batches with ``concurrency`` clients; ``schedule(i)`` paces batch i (perf_counter)."""
    timings = Timings()
    lock = threading.Lock()
    next_index = 0

    def client_loop() -> None:
        nonlocal next_index
        headers = {"content-type": "application/json"}
        with httpx.Client(base_url=base_url, params={"hapikey": api_key}, timeout=60) as client:
            while True:
                with lock:
                    index = next_index
                    next_index += 1
                if index >= len(batches):
                    return
                if schedule is not None:
                    delay = schedule(index) - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                batch = batches[index]
                started = time.perf_counter()
                response = client.put(
                    "/extensions/ecomm/v2/sync/messages", content=batch.body, headers=headers
                )
                done = time.perf_counter()
                with lock:
                    if response.status_code != 204:
                        timings.failures.append(f"{response.status_code} {response.text[:200]}")
                    timings.sent.append(started)
                    timings.accepted.append(done - started)
                if on_accepted is not None and response.status_code == 204:
                    on_accepted(batch, done)

    threads = [threading.Thread(target=client_loop) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


class FreshnessProbe:
    """Watches sampled objects until their sync status shows them processed."""

    def __init__(self, db: Database, every: int) -> None:
        self.db = db
        self.every = every
        self.pending: dict[tuple[str, str], float] = {}
        self.fresh: list[float] = []
        self._lock = threading.Lock()
        self._count = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def watch(self, batch: Batch, accepted_at: float) -> None:
        with self._lock:
            self._count += 1
            if self._count % self.every == 0:
                self.pending[(batch.object_type, batch.probe_id)] = accepted_at

    def _run(self) -> None:
        c = sync_objects.c
        while not self._stop.is_set() or self.pending:
            with self._lock:
                keys = list(self.pending)
            if keys:
                with self.db.read() as conn:
                    rows = conn.execute(
                        sa.select(c.object_type, c.external_id).where(
                            c.store_id == STORE_ID,
                            c.last_processed_at.is_not(None),
                            sa.tuple_(c.object_type, c.external_id).in_(keys),
                        )
                    ).all()
                seen = time.perf_counter()
                with self._lock:
                    for row in rows:
                        started = self.pending.pop((row.object_type, row.external_id), None)
                        if started is not None:
                            self.fresh.append(seen - started)
            time.sleep(0.003)

    def stop(self, timeout_s: float = 60) -> None:
        self._stop.set()
        self._thread.join(timeout=timeout_s)


def throughput_phase(
    base_url: str, api_key: str, db: Database, store: Store, concurrency: int
) -> dict[str, Any]:
    batches = encode_batches(store)
    started = time.perf_counter()
    timings = send_all(base_url, api_key, batches, concurrency)
    last_accept = max(s + a for s, a in zip(timings.sent, timings.accepted, strict=True))
    drained = wait_drained(db, timeout_s=1800)
    count = store.message_count
    return {
        "messages": count,
        "batches": len(batches),
        "accepted_per_s": count / (last_accept - started),
        "applied_per_s": count / (drained - started),
        "accept_p50_ms": _ms(percentile(timings.accepted, 50)),
        "accept_p99_ms": _ms(percentile(timings.accepted, 99)),
        "rejected_batches": len(timings.failures),
        "first_rejection": timings.failures[0] if timings.failures else None,
    }


def paced_phase(
    base_url: str,
    api_key: str,
    db: Database,
    store: Store,
    rate: float,
    concurrency: int,
) -> dict[str, Any]:
    batches = encode_batches(store)
    probe = FreshnessProbe(db, every=max(1, len(batches) // 200))
    probe.start()
    interval = 200 / rate
    t0 = time.perf_counter() + 0.2
    timings = send_all(
        base_url,
        api_key,
        batches,
        concurrency,
        schedule=lambda i: t0 + i * interval,
        on_accepted=probe.watch,
    )
    wait_drained(db, timeout_s=600)
    probe.stop()
    return {
        "target_rate": round(rate),
        "messages": store.message_count,
        "accept_p50_ms": _ms(percentile(timings.accepted, 50)),
        "accept_p99_ms": _ms(percentile(timings.accepted, 99)),
        "fresh_p50_ms": _ms(percentile(probe.fresh, 50)),
        "fresh_p99_ms": _ms(percentile(probe.fresh, 99)),
        "fresh_samples": len(probe.fresh),
        "rejected_batches": len(timings.failures),
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def paced_store(rate: float, seconds: float, seed: int, prefix: str) -> Store:
    return prefixed(generate(max(200, int(rate * seconds)), seed=seed), prefix)


def run_phases(
    base_url: str,
    api_key: str,
    db: Database,
    messages: int,
    concurrency: int,
    seed: int,
    paced_seconds: float,
    freshness_rate: float,
    observer: PgObserver | None = None,
) -> dict[str, Any]:
    store = generate(messages, seed=seed)
    if observer is not None:
        observer.start()
    throughput = throughput_phase(base_url, api_key, db, store, concurrency)
    if observer is not None:
        throughput["postgresql"] = observer.stop(store.message_count)
    half_max = throughput["accepted_per_s"] / 2
    # Freshness is measured at the target rate when the bridge can sustain it, else at 80% of
    # the applied rate (paced at or above it, the backlog only grows: freshness says nothing).
    sustainable = min(freshness_rate, SUSTAINABLE_SHARE * throughput["applied_per_s"])
    rates = sorted({round(half_max), round(sustainable)})
    paced = [
        paced_phase(
            base_url,
            api_key,
            db,
            paced_store(rate, paced_seconds, seed + i + 1, f"p{i}-"),
            rate,
            concurrency,
        )
        for i, rate in enumerate(rates)
        if rate > 0
    ]
    return {
        "throughput": throughput,
        "paced": paced,
        "half_max_rate": round(half_max),
        "freshness_rate": round(sustainable),
        "freshness_target_rate": round(freshness_rate),
        "freshness_target_rate_sustainable": throughput["applied_per_s"] >= freshness_rate,
    }
