"""Setting up a benchmark run: a fresh database, the bridge's processes, a portal, and the
report (a table on the terminal and a JSON file)."""

from __future__ import annotations

import json
import os
import platform
import tempfile
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ecombridge.bench.processes import BridgeProcesses, cli
from ecombridge.db.engine import Database, normalise_url


@dataclass
class RunSetup:
    database_url: str
    db: Database
    processes: BridgeProcesses
    api_key: str
    portal_id: int
    workdir: Path
    notes: dict[str, Any]


class Analyzer:
    """Keeps the planner's statistics current on a PostgreSQL server whose autovacuum is off.

    The bench database starts empty and grows by a hundred thousand rows a minute: without
    statistics the planner picks the wrong index for the apply's ``IN`` queries and a run slows
    down a hundredfold. Autovacuum (on by default) analyses such tables as they grow; where it is
    off, this does the same, every few seconds."""

    def __init__(self, url: str, every_s: float = 5.0) -> None:
        self.engine = sa.create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def autovacuum_on(self) -> bool:
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql("SHOW autovacuum").scalar_one()) == "on"

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("ANALYZE")
            except sa.exc.DBAPIError:
                continue  # the next round tries again

    def __enter__(self) -> Analyzer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)
        self.engine.dispose()


@contextmanager
def fresh_database(database_url: str | None, workdir: Path) -> Iterator[str]:
    """An empty database for the run: a new SQLite file, or a new PostgreSQL database created
    next to the one named (and dropped afterwards), so no existing data is touched."""
    if not database_url or database_url.startswith("sqlite"):
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    url = sa.make_url(normalise_url(database_url))
    name = f"ecombridge_bench_{os.getpid()}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def bridge_run(
    database_url: str | None, serve_workers: int, worker_processes: int
) -> Iterator[RunSetup]:
    with tempfile.TemporaryDirectory(prefix="ecombridge-bench-") as tmp:
        workdir = Path(tmp)
        with fresh_database(database_url, workdir) as url:
            portal = cli(
                "admin", "create-portal", "--name", "Bench", "--json", "--database-url", url
            )
            processes = BridgeProcesses(
                url,
                worker_processes=worker_processes,
                serve_workers=serve_workers,
                log_dir=workdir,
            )
            db = Database(url, pool_size=2)
            notes: dict[str, Any] = {}
            analyzer: AbstractContextManager[object] = nullcontext()
            if not db.is_sqlite:
                candidate = Analyzer(url)
                notes["postgresql_autovacuum"] = candidate.autovacuum_on()
                if notes["postgresql_autovacuum"]:
                    candidate.engine.dispose()
                else:
                    notes["analyze_every_s"] = candidate.every_s
                    analyzer = candidate
            processes.start()
            try:
                with analyzer:
                    yield RunSetup(
                        url, db, processes, portal["apiKey"], portal["portalId"], workdir, notes
                    )
            finally:
                processes.stop()
                db.dispose()


def machine() -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1]
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(int(meminfo) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        # Other work on the machine skews timings: the 1, 5 and 15 minute load averages.
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def write_report(result: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
