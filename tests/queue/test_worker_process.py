"""``ecombridge worker`` processes: a worker killed while it holds leases loses nothing and
duplicates nothing; SIGTERM stops a worker gracefully."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from ecombridge.db.engine import Database
from ecombridge.db.tables import id_sequences, jobs
from ecombridge.queue import service as queue
from ecombridge.queue.processes import WorkerProcesses
from ecombridge.queue.worker import WorkerOptions
from tests.queue.slow_handlers import SLOW

ROOT = Path(__file__).resolve().parents[2]


def start_worker(database_url: str, log: Path, *args: str) -> subprocess.Popen[bytes]:
    """``ecombridge worker`` in a process of its own, its output in ``log``."""
    env = os.environ | {"ECOMBRIDGE_JOB_HANDLER_MODULES": "tests.queue.slow_handlers"}
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "ecombridge", "worker", "--database-url", database_url, *args],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def job_counts(db: Database, kind: str | None = None) -> dict[str, int]:
    query = sa.select(jobs.c.status, sa.func.count()).group_by(jobs.c.status)
    if kind is not None:
        query = query.where(jobs.c.kind == kind)
    with db.read() as conn:
        rows = conn.execute(query)
        return {status: count for status, count in rows}


def wait_for(condition: Callable[[], bool], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


@pytest.mark.slow
def test_a_worker_killed_mid_group_leaves_its_jobs_to_the_next_worker(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    total = 60
    with db.write() as conn:
        for ref in range(total):
            queue.enqueue(conn, SLOW, ref, 1)

    first = start_worker(
        database_url, tmp_path / "first.log", "--lease-seconds", "1", "--claim-size", "4"
    )
    try:
        wait_for(lambda: job_counts(db).get("DONE", 0) >= 4 and "RUNNING" in job_counts(db))
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    orphaned = job_counts(db).get("RUNNING", 0)
    assert orphaned > 0  # leases held by the dead worker

    second = start_worker(database_url, tmp_path / "second.log", "--lease-seconds", "1")
    try:
        wait_for(lambda: job_counts(db) == {"DONE": total})
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(20)
    assert second.returncode == 0, (tmp_path / "second.log").read_text()

    with db.read() as conn:
        marks = conn.execute(
            sa.select(sa.func.count()).where(id_sequences.c.name.like("slow-%"))
        ).scalar_one()
        retaken = conn.execute(
            sa.select(jobs.c.attempts, jobs.c.last_error).where(jobs.c.attempts > 1)
        ).all()
    assert marks == total  # every job applied exactly once
    assert len(retaken) == orphaned
    assert all("lease expired" in (r.last_error or "") for r in retaken)


@pytest.mark.slow
def test_sigterm_lets_the_worker_finish_what_it_holds(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    with db.write() as conn:
        for ref in range(40):
            queue.enqueue(conn, SLOW, ref, 1)
    worker = start_worker(database_url, tmp_path / "worker.log", "--claim-size", "8")
    wait_for(lambda: job_counts(db).get("DONE", 0) >= 1)
    worker.send_signal(signal.SIGTERM)
    worker.wait(20)
    assert worker.returncode == 0, (tmp_path / "worker.log").read_text()
    counts = job_counts(db)
    assert "RUNNING" not in counts  # finished or given back, none left leased
    assert counts.get("DONE", 0) + counts.get("QUEUED", 0) == 40


def test_worker_processes_woken_through_a_shared_event_stop_on_sigterm_while_idle(
    db: Database, database_url: str
) -> None:
    """SIGTERM lands while the idle worker waits on its multiprocessing wake-up event (where it
    spends its idle time): the worker still stops, every time."""
    for _ in range(3):
        workers = WorkerProcesses(database_url, 1, WorkerOptions(poll_interval_s=5.0))
        workers.start(db)
        try:
            time.sleep(1.5)  # started and idle, inside the event's wait
            workers.terminate()
            [process] = workers.processes
            process.join(15)
            assert process.exitcode == 0
        finally:
            workers.stop(timeout_s=5)
