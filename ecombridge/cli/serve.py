"""``ecombridge serve``: the API, and (by default) one worker process beside it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from ecombridge.api import server
from ecombridge.api.app import create_app
from ecombridge.cli.options import DatabaseUrl, open_checked_database
from ecombridge.config import get_config
from ecombridge.db.engine import Database
from ecombridge.observability.redaction import uvicorn_log_config
from ecombridge.queue.processes import SERVE_WORKER_NICENESS, WorkerProcesses
from ecombridge.runtime import tune_gc
from ecombridge.tenancy import repository as tenancy_repo
from ecombridge.tenancy import service as tenancy

console = Console()


def ensure_local_portal(db: Database) -> tenancy.CreatedPortal | None:
    """On an empty database, create a portal and print its key: the one time it is shown
    (only its digest is stored). Returns the portal it created, if any."""
    with db.write() as conn:
        tenancy_repo.lock_portal_creation(conn)  # two processes starting at once make one
        if tenancy_repo.count_portals(conn) > 0:
            return None
        created = tenancy.create_portal(conn, "Local portal")
    console.print(
        "[bold green]Created a local portal.[/bold green] Keep this key; it is shown only once.\n"
        f"  portalId: [bold]{created.portal_id}[/bold]\n"
        f"  apiKey:   [bold]{created.api_key}[/bold]",
        highlight=False,
        soft_wrap=True,
    )
    return created


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    database_url: DatabaseUrl = None,
    workers: Annotated[
        int,
        typer.Option("--workers", min=0, help="Worker processes applying batches (0: API only)."),
    ] = 1,
) -> None:
    """Start the bridge: migrate the database, then serve the API with a worker process."""
    config = get_config()
    overrides = {
        k: v
        for k, v in {"host": host, "port": port, "database_url": database_url}.items()
        if v is not None
    }
    config = config.model_copy(update=overrides)
    db = open_checked_database(config.database_url)
    ensure_local_portal(db)
    app = create_app(config, db)
    processes = WorkerProcesses(
        config.database_url,
        workers,
        niceness=SERVE_WORKER_NICENESS,
        restart_backoff_s=config.worker_restart_backoff_seconds,
    )
    processes.start(db, supervise=True)
    app.state.worker_processes = processes  # /readyz reports when none is alive
    console.print(f"Serving on [bold]{config.base_url()}[/bold] (docs at /docs)")
    tune_gc()
    try:
        server.run(
            app,
            config,
            log_level=config.log_level.lower(),
            log_config=uvicorn_log_config(config.log_level),
        )
    finally:
        processes.stop()
