"""The import benchmark: a store's history pushed through the import protocol.

An installed app whose import webhook points at a local integrator (a small HTTP server here,
answering ``importCounts``) imports N records: 10% products, 30% contacts, 30% deals (each
associated with a contact) and 30% line items (each associated with a deal and a product), in
200-record v2 pages sent by K concurrent clients, each type ended once its pages are in. The
figure is the time from the first page to the import's ``COMPLETE``. Records are generated page
by page, so the benchmark's own memory does not grow with N.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import msgspec

from ecombridge.bench.generator import FIRST_NAMES, LAST_NAMES, PRODUCT_KINDS, settings_body
from ecombridge.bench.pg_observer import cpu_seconds
from ecombridge.bench.processes import cli

STORE_ID = "bench-import"
PAGE_SIZE = 200
V2 = "/extensions/ecomm/v2"
SHARES = {"PRODUCT": 0.1, "CONTACT": 0.3, "DEAL": 0.3, "LINE_ITEM": 0.3}
ORDER = ("PRODUCT", "CONTACT", "DEAL", "LINE_ITEM")


def type_counts(records: int) -> dict[str, int]:
    counts = {t: max(1, int(records * share)) for t, share in SHARES.items()}
    counts["LINE_ITEM"] += max(0, records - sum(counts.values()))
    return counts


def record(object_type: str, i: int, counts: dict[str, int]) -> dict[str, Any]:
    """Record ``i`` of a type, deterministic and cheap to make."""
    if object_type == "PRODUCT":
        kind = PRODUCT_KINDS[i % len(PRODUCT_KINDS)]
        props: dict[str, Any] = {"title": f"{kind} {i}", "price": 5 + i % 200, "sku": f"S{i}"}
        return {"externalObjectId": f"sku-{i}", "properties": props}
    if object_type == "CONTACT":
        first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[i % len(LAST_NAMES)]
        props = {"email": f"{first}.{last}.{i}@example.com".lower(), "first_name": first}
        props["last_name"] = last
        return {"externalObjectId": f"cust-{i}", "properties": props}
    if object_type == "DEAL":
        props = {"name": f"Order #{i}", "stage": "processed", "total": 10 + i % 500}
        props["number"] = str(i)
        customer = f"cust-{(i * 7) % counts['CONTACT']}"
        return {
            "externalObjectId": f"order-{i}",
            "properties": props,
            "associations": {"CONTACT": [customer]},
        }
    deal, product = i % counts["DEAL"], (i * 13) % counts["PRODUCT"]
    props = {"title": f"Item {product}", "qty": 1 + i % 4, "unit_price": 5 + i % 90}
    return {
        "externalObjectId": f"line-{i}",
        "properties": props,
        "associations": {"DEAL": [f"order-{deal}"], "PRODUCT": [f"sku-{product}"]},
    }


def pages(object_type: str, counts: dict[str, int]) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    total = counts[object_type]
    for number, start in enumerate(range(0, total, PAGE_SIZE)):
        end = min(total, start + PAGE_SIZE)
        yield number, [record(object_type, i, counts) for i in range(start, end)]


class LocalIntegrator:
    """The app's side of the import webhook: answers with the counts it is going to send."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self.calls = 0
        integrator = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", "0")))
                asked = json.loads(raw)["settingsToImport"]
                integrator.calls += 1
                reply = {
                    "importCounts": [
                        {"settingsId": s["settingsId"], "count": integrator.counts[s["objectType"]]}
                        for s in asked
                    ]
                }
                payload = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hubspot/import"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalIntegrator:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def install_app(database_url: str, portal_id: int) -> dict[str, Any]:
    app = cli(
        "admin", "create-app", "--name", "Bench importer", "--json", "--database-url", database_url
    )
    tokens = cli(
        "admin",
        "install-app",
        "--app-id",
        str(app["appId"]),
        "--portal-id",
        str(portal_id),
        "--json",
        "--database-url",
        database_url,
    )
    return {**app, **tokens}


def configure(base_url: str, app: dict[str, Any], webhook_uri: str) -> None:
    query = {"appId": app["appId"], "hapikey": app["developerApiKey"]}
    settings = dict(settings_body(), webhookUri=webhook_uri)
    with httpx.Client(base_url=base_url, timeout=30) as client:
        client.put(f"{V2}/settings", params=query, json=settings).raise_for_status()
        store = {"id": STORE_ID, "label": "Import benchmark", "adminUri": "https://shop.example"}
        auth = {"Authorization": f"Bearer {app['accessToken']}"}
        client.put(f"{V2}/stores", json=store, headers=auth).raise_for_status()


def run_import(
    base_url: str,
    access_token: str,
    records: int,
    concurrency: int,
    on_received: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Import ``records`` and wait for COMPLETE; ``on_received`` runs once the last type's end
    was answered."""
    counts = type_counts(records)
    auth = {"Authorization": f"Bearer {access_token}", "content-type": "application/json"}
    encoder = msgspec.json.Encoder()
    local = threading.local()
    clients: list[httpx.Client] = []
    lock = threading.Lock()

    def client() -> httpx.Client:
        found: httpx.Client | None = getattr(local, "client", None)
        if found is None:
            found = local.client = httpx.Client(base_url=base_url, headers=auth, timeout=120)
            with lock:
                clients.append(found)
        return found

    def post(path: str, body: dict[str, Any]) -> None:
        response = client().post(path, content=encoder.encode(body))
        if response.status_code != 204:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")

    with httpx.Client(base_url=base_url, headers=auth, timeout=60) as control:
        started = control.post(f"{V2}/imports/start", json={"storeId": STORE_ID})
        started.raise_for_status()
        started_at = int(started.json()["importStartedAt"])
        first_page = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            for object_type in ORDER:
                page_count = 0

                def send(
                    page: tuple[int, list[dict[str, Any]]], object_type: str = object_type
                ) -> None:
                    number, messages = page
                    body = {
                        "storeId": STORE_ID,
                        "importStartedAt": started_at,
                        "objectType": object_type,
                        "pageNumber": number,
                        "messages": messages,
                    }
                    post(f"{V2}/imports/page", body)

                # A bounded window of pages in flight keeps the client's memory flat.
                in_flight: list[Any] = []
                for page in pages(object_type, counts):
                    in_flight.append(pool.submit(send, page))
                    page_count += 1
                    if len(in_flight) >= concurrency * 4:
                        in_flight.pop(0).result()
                for future in in_flight:
                    future.result()
                end = {
                    "storeId": STORE_ID,
                    "importStartedAt": started_at,
                    "objectType": object_type,
                    "pageCount": page_count,
                    "itemCount": counts[object_type],
                }
                post(f"{V2}/imports/end", end)
        received = time.perf_counter()
        if on_received is not None:
            on_received()
        progress = wait_complete(control, started_at)
        completed = time.perf_counter()
    for c in clients:
        c.close()
    total = completed - first_page
    return {
        "records": sum(counts.values()),
        "counts": counts,
        "pages": sum(-(-n // PAGE_SIZE) for n in counts.values()),
        "receive_seconds": round(received - first_page, 2),
        "apply_seconds": round(completed - received, 2),
        "first_page_to_complete_seconds": round(total, 2),
        "records_per_s": sum(counts.values()) / total,
        "applied": progress["totals"]["applied"],
        "state": progress["state"],
    }


def wait_complete(control: httpx.Client, started_at: int, timeout_s: float = 3600) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = control.get(f"{V2}/imports/{STORE_ID}/{started_at}")
        response.raise_for_status()
        progress = response.json()
        if progress["state"] == "COMPLETE":
            return progress
        if progress["state"] == "FAILED":
            raise RuntimeError(f"the import failed: {progress.get('failureReason')}")
        time.sleep(0.05)
    raise RuntimeError(f"the import did not complete within {timeout_s:.0f} s")


class CpuMarks:
    """Each process's CPU time at the first page, once the last end was answered, and at
    COMPLETE: what the import cost each, and how much of a core each took in either phase."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.start = self._now()
        self.received = self.start
        self.end = self.start

    def _now(self) -> dict[str, float]:
        return {name: cpu_seconds(pid) or 0.0 for name, pid in self.pids.items()}

    def mark_received(self) -> None:
        self.received = self._now()

    def mark_end(self) -> None:
        self.end = self._now()

    def used(self) -> dict[str, float]:
        return {name: self.end[name] - self.start[name] for name in self.pids}

    def shares(self, receive_s: float, apply_s: float) -> dict[str, tuple[int, int]]:
        """name -> (% of one core while pages arrived, % after the last end)."""

        def percent(seconds: float, over: float) -> int:
            return round(100 * seconds / over) if over > 0 else 0

        return {
            name: (
                percent(self.received[name] - self.start[name], receive_s),
                percent(self.end[name] - self.received[name], apply_s),
            )
            for name in self.pids
        }
