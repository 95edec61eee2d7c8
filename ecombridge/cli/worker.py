"""``ecombridge worker``: processes applying queued jobs; ``ecombridge jobs``: the parked ones.

Concurrency is in processes, not threads: applying a batch is CPU-bound Python, so threads of one
process share one core (the GIL), and on SQLite every write is serialised anyway. Several
processes pay off on PostgreSQL, where they apply batches of different portals in parallel; on
SQLite one process is the sensible default (more only overlap decoding with the writer).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console

from ecombridge.cli.options import DatabaseUrl, open_database, resolve_database_url
from ecombridge.config import get_config
from ecombridge.db.engine import Database
from ecombridge.queue import service as queue
from ecombridge.queue.worker import Worker, WorkerOptions
from ecombridge.runtime import tune_gc

console = Console()


def _configure_logging() -> None:
    logging.basicConfig(
        level=get_config().log_level.upper(),
        format="%(asctime)s %(processName)s %(levelname)s %(name)s: %(message)s",
    )


def _run_worker(url: str, options: WorkerOptions, name: str) -> None:
    _configure_logging()
    db = Database(url, sqlite_synchronous=get_config().sqlite_synchronous, pool_size=2)
    worker = Worker(db, options, name=name)
    worker.install_signal_handlers()
    tune_gc()
    try:
        worker.run()
    finally:
        db.dispose()


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
    open_database(url).dispose()  # migrate once, before the workers start
    options = WorkerOptions(claim_size=claim_size, lease_ms=int(lease_seconds * 1000))
    if concurrency == 1:
        _run_worker(url, options, "worker-1")
        return
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(
            target=_run_worker, args=(url, options, f"worker-{i + 1}"), name=f"worker-{i + 1}"
        )
        for i in range(concurrency)
    ]
    for process in processes:
        process.start()

    def _forward(signum: int, _frame: FrameType | None) -> None:
        for process in processes:
            if process.pid is not None and process.is_alive():
                process.terminate()  # SIGTERM: each worker finishes its jobs in hand

    signal.signal(signal.SIGTERM, _forward)
    signal.signal(signal.SIGINT, _forward)
    for process in processes:
        process.join()


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
