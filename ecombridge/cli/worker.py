"""``ecombridge worker``: processes applying queued jobs; ``ecombridge jobs``: the parked ones.

Concurrency is in processes, not threads (``ecombridge.queue.processes``). Several processes pay
off on PostgreSQL, where they apply batches in parallel; on SQLite every write is serialised, so
one process is the sensible default (more only overlap decoding with the writer).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console

from ecombridge.cli.options import (
    DatabaseUrl,
    open_checked_database,
    open_database,
    resolve_database_url,
)
from ecombridge.config import get_config
from ecombridge.queue import service as queue
from ecombridge.queue.processes import WorkerProcesses, run_worker_process
from ecombridge.queue.worker import WorkerOptions

console = Console()


def worker(
    database_url: DatabaseUrl = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", min=1, help="Worker processes to run.")
    ] = 1,
    claim_size: Annotated[
        int, typer.Option(min=1, help="Jobs claimed (and applied in one transaction) at once.")
    ] = WorkerOptions.claim_size,
    lease_seconds: Annotated[
        float, typer.Option(min=0.1, help="How long a claimed job stays leased to a worker.")
    ] = queue.DEFAULT_LEASE_MS / 1000,
) -> None:
    """Apply queued sync batches and imports until stopped (SIGTERM / Ctrl-C finish the jobs in
    hand first)."""
    url = resolve_database_url(database_url)
    open_checked_database(url).dispose()  # migrate and check once, before the workers start
    options = WorkerOptions(claim_size=claim_size, lease_ms=int(lease_seconds * 1000))
    if concurrency == 1:  # this process is the worker (a service manager restarts it)
        run_worker_process(url, options, "worker-1")
        return
    # Several: this process supervises them as serve does (a dead one's jobs are given back at
    # once and it is restarted with backoff).
    db = open_database(url)
    workers = WorkerProcesses(
        url, concurrency, options, restart_backoff_s=get_config().worker_restart_backoff_seconds
    )
    stopping = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    workers.start(db, supervise=True)
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        workers.stop()  # each worker finishes its jobs in hand
        db.dispose()


jobs_app = typer.Typer(help="Inspect and retry queued jobs.", no_args_is_help=True)


@jobs_app.command("failed")
def failed(
    database_url: DatabaseUrl = None,
    limit: Annotated[int, typer.Option(min=1, help="How many to list, newest first.")] = 50,
) -> None:
    """List jobs parked as FAILED after their last attempt, with the error that parked them."""
    db = open_database(database_url)
    with db.read() as conn:
        parked = queue.failed_jobs(conn, limit=limit)
    db.dispose()
    if not parked:
        typer.echo("No failed jobs.")
        return
    for job in parked:
        last_line = (job.last_error or "").strip().splitlines()[-1:] or ["(no error recorded)"]
        typer.echo(
            f"job {job.id}  {job.kind}  ref={job.ref_id}  portal={job.portal_id}  "
            f"attempts={job.attempts}/{job.max_attempts}  finished_at={job.finished_at}"
        )
        typer.echo(f"    {last_line[0]}")


@jobs_app.command("retry")
def retry(
    job_id: Annotated[int, typer.Argument(help="The id of a FAILED job.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Queue a parked job again with a fresh set of attempts."""
    db = open_database(database_url)
    with db.write() as conn:
        retried = queue.retry_failed(conn, job_id)
    db.dispose()
    if not retried:
        console.print(f"Job {job_id} is not a FAILED job.")
        raise typer.Exit(1)
    console.print(f"Job {job_id} queued again.")
