"""The crash-under-load check (``make chaos``): a client sends sync batches at a steady rate while
the API process and the worker process of ``ecombridge serve`` are killed (SIGKILL) at random
moments; after the last restart the queue is drained and every acknowledged message (answered
204) is checked: its object must exist, once, with the newest acknowledged values (or newer ones
that were stored but whose answer was lost with the process).

Prints ``acknowledged / lost / duplicated``; exits 1 when anything was lost or duplicated.

    python -m ecombridge.bench.chaos --database-url sqlite:////tmp/chaos/bridge.db
    python -m ecombridge.bench.chaos --database-url postgresql://.../ecb_chaos --reset
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy as sa

from ecombridge.bench.processes import descendants, free_port
from ecombridge.db import inbox as inbox_db
from ecombridge.db.engine import Database
from ecombridge.db.tables import crm_objects, jobs, sync_objects

V2 = "/extensions/ecomm/v2/sync/messages"
MAPPINGS = {
    "PRODUCT": {"properties": [{"externalPropertyName": "n", "hubspotPropertyName": "name"}]}
}


@dataclass
class Acknowledged:
    """Per external id, the newest sequence number answered 204."""

    newest: dict[str, int] = field(default_factory=dict)
    messages: int = 0
    refused: int = 0  # requests not acknowledged (connection lost, 5xx, 429)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, sent: list[tuple[str, int]]) -> None:
        with self.lock:
            self.messages += len(sent)
            for external_id, seq in sent:
                if seq > self.newest.get(external_id, -1):
                    self.newest[external_id] = seq


class Bridge:
    """``ecombridge serve`` with its worker process, restartable."""

    def __init__(self, database_url: str, log_dir: Path) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_dir = log_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = (self.log_dir / f"serve-{self.starts}.log").open("wb")
        env = dict(os.environ, ECOMBRIDGE_LOG_LEVEL="warning", PYTHONUNBUFFERED="1")
        command = [sys.executable, "-m", "ecombridge", "serve", "--port", str(self.port)]
        command += ["--database-url", self.database_url, "--workers", "1"]
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("serve did not start within 60 s")

    def api_key(self) -> str:
        found = re.search(r"apiKey:\s+(\S+)", (self.log_dir / "serve-1.log").read_text())
        if found is None:
            raise RuntimeError("serve printed no key: start from an empty database (--reset)")
        return found.group(1)

    def worker_pid(self) -> int | None:
        assert self.process is not None
        for pid in descendants(self.process.pid):
            try:
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return pid
            except OSError:
                continue
        return None

    def kill_api(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def send_steadily(
    bridge: Bridge,
    key: str,
    ids: list[str],
    acked: Acknowledged,
    stop: threading.Event,
    rate: float,
) -> None:
    """``rate`` batches a second of 20 messages each, every message a new sequence number."""
    base = int(time.time() * 1000)
    seq = 0
    with httpx.Client(timeout=10) as client:
        while not stop.is_set():
            started = time.monotonic()
            sent = [(external_id, seq + i) for i, external_id in enumerate(random.sample(ids, 20))]
            seq += len(sent)
            messages = [
                {
                    "action": "UPSERT",
                    "externalObjectId": e,
                    "changedAt": base + s,
                    "properties": {"n": f"v{s}"},
                }
                for e, s in sent
            ]
            body = {"storeId": "default", "objectType": "PRODUCT", "messages": messages}
            try:
                answer = client.put(f"{bridge.base}{V2}", params={"hapikey": key}, json=body)
                if answer.status_code == 204:
                    acked.record(sent)
                else:
                    acked.refused += 1
            except httpx.HTTPError:
                acked.refused += 1
            stop.wait(max(0.0, 1 / rate - (time.monotonic() - started)))


def wait_drained(db: Database, timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with db.read() as conn:
            waiting = conn.execute(
                sa.select(sa.func.count()).where(
                    jobs.c.kind == "SYNC_BATCH", jobs.c.status.in_(("QUEUED", "RUNNING"))
                )
            ).scalar_one()
        if waiting == 0 and inbox_db.waiting(db)[0] == 0:
            return
        time.sleep(0.5)
    raise RuntimeError("the queue did not drain")


def check(db: Database, acked: Acknowledged) -> tuple[int, int, int, list[str]]:
    """(acknowledged objects, lost, duplicated, failed jobs)."""
    with db.read() as conn:
        rows = conn.execute(
            sa.select(sync_objects.c.external_id, crm_objects.c.properties).join(
                crm_objects,
                sa.and_(
                    crm_objects.c.portal_id == sync_objects.c.portal_id,
                    crm_objects.c.object_type == sync_objects.c.object_type,
                    crm_objects.c.id == sync_objects.c.hubspot_id,
                ),
            )
        ).all()
        products = conn.execute(
            sa.select(sa.func.count()).where(crm_objects.c.object_type == "PRODUCT")
        ).scalar_one()
        failed = conn.execute(sa.select(jobs.c.last_error).where(jobs.c.status == "FAILED")).all()
    stored: dict[str, int] = {}
    links: dict[str, int] = {}
    for external_id, properties in rows:
        links[external_id] = links.get(external_id, 0) + 1
        value = str(properties.get("name", "v-1"))
        stored[external_id] = int(value[1:])
    lost = sum(1 for e, seq in acked.newest.items() if stored.get(e, -1) < seq)
    duplicated = sum(n - 1 for n in links.values() if n > 1) + max(0, products - len(links))
    return len(acked.newest), lost, duplicated, [str(f.last_error)[-200:] for f in failed]


def reset_postgresql(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def run(database_url: str, kills: int, rate: float, log_dir: Path, seed: int | None) -> int:
    rng = random.Random(seed)
    bridge = Bridge(database_url, log_dir)
    bridge.start()
    key = bridge.api_key()
    settings = {"enabled": True, "mappings": MAPPINGS}
    httpx.put(f"{bridge.base}/extensions/ecomm/v2/settings", params={"hapikey": key}, json=settings)
    ids = [f"p{i}" for i in range(2_000)]
    acked = Acknowledged()
    stop = threading.Event()
    sender = threading.Thread(
        target=send_steadily, args=(bridge, key, ids, acked, stop, rate), daemon=True
    )
    sender.start()
    killed = {"api": 0, "worker": 0}
    try:
        for _ in range(kills):
            time.sleep(rng.uniform(5, 15))
            worker = bridge.worker_pid()
            if rng.random() < 0.5 and worker is not None:
                os.kill(worker, signal.SIGKILL)  # serve restarts it
                killed["worker"] += 1
            else:
                bridge.kill_api()  # its worker stops by itself
                killed["api"] += 1
                bridge.start()
        time.sleep(rng.uniform(5, 10))
    finally:
        stop.set()
        sender.join(30)
    db = Database(database_url)
    try:
        wait_drained(db)
        objects, lost, duplicated, failed = check(db, acked)
    finally:
        bridge.stop()
        db.dispose()
    print(
        f"{db.engine.dialect.name}: killed API {killed['api']}x, worker {killed['worker']}x; "
        f"{acked.messages} messages acknowledged ({objects} objects), "
        f"{acked.refused} requests not acknowledged"
    )
    print(f"acknowledged {objects} / lost {lost} / duplicated {duplicated}")
    for error in failed:
        print(f"parked job: {error}")
    return 1 if lost or duplicated else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--kills", type=int, default=8, help="SIGKILLs, API or worker at random")
    parser.add_argument("--rate", type=float, default=10, help="batches (20 messages) a second")
    parser.add_argument("--log-dir", type=Path, default=Path("bench-results/chaos"))
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--reset", action="store_true", help="PostgreSQL: drop every table of the database first"
    )
    args = parser.parse_args()
    args.log_dir.mkdir(parents=True, exist_ok=True)
    if args.reset and args.database_url.startswith("postgresql"):
        reset_postgresql(args.database_url)
    sys.exit(run(args.database_url, args.kills, args.rate, args.log_dir, args.seed))


if __name__ == "__main__":
    main()
