"""``ecombridge worker`` processes: a worker killed while it holds leases loses nothing and
duplicates nothing; SIGTERM stops a worker gracefully; a dead worker process blocks nothing and,
supervised, gives its jobs back at once and is started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from ecombridge.db.engine import Database
from ecombridge.db.tables import id_sequences, jobs
from ecombridge.queue import service as queue
from ecombridge.queue.notify import wake
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


def test_an_idle_worker_process_stops_at_once_on_sigterm(
    db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM lands while the idle worker waits on its wake-up pipe (where it spends its idle
    time): the handler writes to the pipe, so the worker stops without waiting out its poll
    interval of a minute, every time."""
    monkeypatch.setenv("ECOMBRIDGE_JOB_HANDLER_MODULES", "tests.queue.slow_handlers")
    for round_ in range(3):
        workers = WorkerProcesses(database_url, 1, WorkerOptions(poll_interval_s=60.0))
        workers.start(db)
        try:
            with db.write() as conn:
                queue.enqueue(conn, SLOW, round_, 1)
            wake(db)
            done = round_ + 1
            wait_for(lambda: job_counts(db).get("DONE", 0) == done)  # noqa: B023 (up, working)
            workers.terminate()
            [process] = workers.processes
            process.join(30)  # well under the poll interval
            assert process.exitcode == 0
        finally:
            workers.stop(timeout_s=5)


def test_waking_never_blocks_on_a_worker_process_killed_while_idle(
    db: Database, database_url: str
) -> None:
    workers = WorkerProcesses(database_url, 1, WorkerOptions(poll_interval_s=60.0))
    workers.start(db)
    try:
        [process] = workers.processes
        wait_for(lambda: process.pid is not None and _sleeping(process.pid))
        os.kill(process.pid, signal.SIGKILL)
        process.join(10)
        waking = threading.Thread(target=lambda: [wake(db) for _ in range(100_000)], daemon=True)
        waking.start()
        waking.join(30)
        assert not waking.is_alive(), "wake() blocked on the dead worker process"
    finally:
        workers.stop(timeout_s=5)


def _sleeping(pid: int) -> bool:
    """The process waits in the kernel (its idle wait), past its start-up."""
    status = Path(f"/proc/{pid}/status").read_text()
    threads = int(status.split("Threads:")[1].split()[0])
    return "State:\tS" in status and threads >= 2  # the orphan watch runs: start-up is done


@pytest.mark.slow
def test_a_supervised_worker_process_that_dies_gives_its_jobs_back_at_once_and_restarts(
    db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Leases of ten minutes: the jobs of the killed worker are retaken long before they
    expire, by the worker started in its place, each applied exactly once."""
    monkeypatch.setenv("ECOMBRIDGE_JOB_HANDLER_MODULES", "tests.queue.slow_handlers")
    total = 60
    with db.write() as conn:
        for ref in range(total):
            queue.enqueue(conn, SLOW, ref, 1)
    options = WorkerOptions(claim_size=4, lease_ms=600_000)
    workers = WorkerProcesses(database_url, 1, options, restart_backoff_s=0.1)
    workers.start(db, supervise=True)
    try:
        wait_for(lambda: job_counts(db).get("DONE", 0) >= 4 and "RUNNING" in job_counts(db))
        [first] = workers.processes
        assert first.pid is not None
        os.kill(first.pid, signal.SIGKILL)
        wait_for(lambda: job_counts(db) == {"DONE": total})
        assert workers.restarts == 1
        assert workers.alive() == 1
    finally:
        workers.stop(timeout_s=10)

    with db.read() as conn:
        marks = conn.execute(
            sa.select(sa.func.count()).where(id_sequences.c.name.like("slow-%"))
        ).scalar_one()
        retaken = conn.execute(sa.select(jobs.c.last_error).where(jobs.c.attempts > 1)).all()
    assert marks == total
    died = "the worker process holding the job died"
    assert retaken and all(died in (r.last_error or "") for r in retaken)
