"""The ``ecombridge`` command."""

from __future__ import annotations

import typer

from ecombridge.cli import admin, bench, db
from ecombridge.cli.serve import serve
from ecombridge.cli.worker import jobs_app, worker

app = typer.Typer(
    help="ecombridge: a self-hosted, wire-compatible Ecommerce Bridge.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(serve)
app.command()(worker)
app.add_typer(jobs_app, name="jobs")
app.add_typer(db.app, name="db")
app.add_typer(admin.app, name="admin")
app.add_typer(bench.app, name="bench")
