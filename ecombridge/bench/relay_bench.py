"""The relay benchmark: a backlog of synced orders delivered to a second bridge standing in for
a HubSpot portal, under HubSpot's private-app limit (190 requests per 10 s).

The backlog is written straight into a fresh database (as the sync apply leaves it: objects,
their sync links and associations), a destination is added, and relay jobs run in this process
until the outbox is empty; every request is counted through the relay's transport hook.
Reported: objects/s against the limit's ceiling (190 requests per 10 s, times 100 inputs), requests
per 1,000 orders, the share of requests answered 429, and the load average.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from ecombridge.bench.processes import cli, free_port
from ecombridge.clock import now_ms
from ecombridge.crm_schema.pipelines import ecommerce_pipeline_id
from ecombridge.crm_schema.service import ensure_portal_schema
from ecombridge.db import migrate
from ecombridge.db.engine import Database
from ecombridge.db.sequences import allocate_ids
from ecombridge.db.tables import associations, crm_objects, relay_outbox, sync_objects
from ecombridge.outbound.addresses import ALLOW_PRIVATE_ENV
from ecombridge.queue.worker import drain
from ecombridge.ratelimit.policy import parse_rate
from ecombridge.relay import client as relay_client
from ecombridge.relay import repository as relay_repo
from ecombridge.relay import service as relay_service
from ecombridge.relay.schemas import NewDestination

STORE = "bench"
PRODUCTS = 100
CHUNK = 5_000


@dataclass
class Counts:
    requests: int = 0
    rate_limited: int = 0
    by_path: dict[str, int] | None = None


class _Counting(httpx.BaseTransport):
    def __init__(self, counts: Counts) -> None:
        self.counts, self.inner = counts, httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        self.counts.requests += 1
        if response.status_code == 429:
            self.counts.rate_limited += 1
        kind = request.url.path.rsplit("/", 2)[-2:]
        key = "/".join(kind)
        assert self.counts.by_path is not None
        self.counts.by_path[key] = self.counts.by_path.get(key, 0) + 1
        return response

    def close(self) -> None:
        self.inner.close()


@contextmanager
def target_bridge(
    workdir: Path, rate_limit: str
) -> Iterator[tuple[str, str, subprocess.Popen[bytes]]]:
    """A second bridge (its own SQLite file) and a private-app token of a portal in it."""
    url = f"sqlite:///{workdir / 'target.db'}"
    portal = cli("admin", "create-portal", "--name", "Target", "--json", "--database-url", url)
    target_db = Database(url)
    with target_db.write() as conn:  # a HubSpot portal has its standard properties
        ensure_portal_schema(conn, int(portal["portalId"]))
    target_db.dispose()
    token = cli(
        "admin", "create-private-app-token", "--portal-id", str(portal["portalId"]),
        "--json", "--database-url", url,
    )["token"]  # fmt: skip
    port = free_port()
    env = dict(os.environ) | {
        "ECOMBRIDGE_RATE_LIMIT": rate_limit,
        "ECOMBRIDGE_LOG_LEVEL": "warning",
    }
    with (workdir / "target.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "ecombridge", "serve", "--port", str(port),
             "--database-url", url, "--workers", "0"],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the target bridge did not start")
            time.sleep(0.1)
        yield base, token, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def fill_backlog(db: Database, portal_id: int, objects: int) -> int:
    """Orders (a new customer, a deal, two line items) and 100 products, as synced; returns
    how many orders."""
    orders = max(1, (objects - PRODUCTS) // 4)
    now = now_ms()
    with db.write() as conn:
        ensure_portal_schema(conn, portal_id)
        product_ids = _insert(conn, portal_id, "PRODUCT", [
            {"name": f"Product {i}", "price": str(10 + i % 50)} for i in range(PRODUCTS)
        ], now)  # fmt: skip
    for start in range(0, orders, CHUNK):
        batch = range(start, min(orders, start + CHUNK))
        with db.write() as conn:
            contacts = _insert(conn, portal_id, "CONTACT", [
                {"email": f"c{i}@example.com", "firstname": f"C{i}"} for i in batch
            ], now)  # fmt: skip
            deals = _insert(conn, portal_id, "DEAL", [
                {"dealname": f"Order {i}", "amount": "40", "dealstage": "processed",
                 "pipeline": ecommerce_pipeline_id(portal_id)} for i in batch
            ], now)  # fmt: skip
            lines = _insert(conn, portal_id, "LINE_ITEM", [
                {"name": f"Line {i}-{k}", "quantity": "1", "price": "20",
                 "hs_product_id": str(product_ids[(i + k) % PRODUCTS])}
                for i in batch for k in (0, 1)
            ], now)  # fmt: skip
            pairs = [("DEAL", d, "CONTACT", c) for d, c in zip(deals, contacts, strict=True)]
            pairs += [("LINE_ITEM", li, "DEAL", deals[n // 2]) for n, li in enumerate(lines)]
            pairs += [
                ("LINE_ITEM", li, "PRODUCT", product_ids[(batch[n // 2] + n % 2) % PRODUCTS])
                for n, li in enumerate(lines)
            ]
            conn.execute(sa.insert(associations), [
                {"portal_id": portal_id, "from_type": f, "from_id": fi, "to_type": t,
                 "to_id": ti, "created_at": now} for f, fi, t, ti in pairs
            ])  # fmt: skip
    return orders


def _insert(
    conn: Any, portal_id: int, object_type: str, rows: list[dict[str, str]], now: int
) -> list[int]:
    ids = allocate_ids(conn, "crm_object", len(rows))
    conn.execute(sa.insert(crm_objects), [
        {"portal_id": portal_id, "object_type": object_type, "id": i, "properties": props,
         "email_key": props.get("email"), "created_at": now, "updated_at": now}
        for i, props in zip(ids, rows, strict=True)
    ])  # fmt: skip
    conn.execute(sa.insert(sync_objects), [
        {"portal_id": portal_id, "source_app_id": 0, "store_id": STORE,
         "object_type": object_type, "external_id": f"{object_type.lower()}-{i}",
         "hubspot_id": i, "last_changed_at": now, "last_processed_at": now, "created_at": now}
        for i in ids
    ])  # fmt: skip
    return ids


def run(objects: int, rate_limit: str, database_url: str | None = None) -> dict[str, Any]:
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    os.environ.setdefault(ALLOW_PRIVATE_ENV, "127.0.0.0/8")
    with tempfile.TemporaryDirectory(prefix="ecombridge-relay-bench-") as tmp:
        workdir = Path(tmp)
        url = database_url or f"sqlite:///{workdir / 'source.db'}"
        migrate.upgrade(url)
        portal = cli("admin", "create-portal", "--name", "Source", "--json", "--database-url", url)
        db = Database(url, sqlite_synchronous="NORMAL")
        fill_started = time.monotonic()
        orders = fill_backlog(db, int(portal["portalId"]), objects)
        fill_seconds = time.monotonic() - fill_started
        counts = Counts(by_path={})
        relay_client.inner_transport = lambda: _Counting(counts)
        try:
            with target_bridge(workdir, rate_limit) as (base, token, _process):
                with db.write() as conn:
                    dest_id = relay_service.add_destination(
                        conn, int(portal["portalId"]), NewDestination(base, token, None)
                    )
                started = time.monotonic()
                while True:
                    drain(db)
                    with db.read() as conn:
                        waiting = conn.execute(
                            sa.select(sa.func.count()).select_from(relay_outbox)
                        ).scalar_one()
                        dest = relay_repo.destination(conn, dest_id)
                    if not waiting and dest is not None and dest.phase == "LIVE":
                        break
                    if dest is not None and dest.failing_reason:
                        raise RuntimeError(f"the destination is failing: {dest.failing_reason}")
                    time.sleep(0.2)
                seconds = time.monotonic() - started
                with db.read() as conn:
                    status = relay_service.get_status(conn, None, dest_id)
        finally:
            relay_client.inner_transport = None
            db.dispose()
    most, window = _rate(rate_limit)
    delivered = int(status["delivered"])
    ceiling = most / window * 100
    return {
        "objects": delivered,
        "failed": status["failed"],
        "orders": orders,
        "fill_seconds": round(fill_seconds, 1),
        "seconds": round(seconds, 1),
        "objects_per_s": round(delivered / seconds, 1),
        "ceiling_objects_per_s": ceiling,
        "share_of_ceiling": round(delivered / seconds / ceiling, 3),
        "requests": counts.requests,
        "requests_per_1000_orders": round(counts.requests / orders * 1000, 1),
        "rate_limited_share": round(counts.rate_limited / max(1, counts.requests), 4),
        "requests_by_endpoint": counts.by_path,
        "rate_limit": rate_limit,
        "load_average_at_start": load_at_start,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _rate(text: str) -> tuple[int, float]:
    most, window_ms = parse_rate(text)
    return most, window_ms / 1000
