"""The ``ecombridge`` command."""

from __future__ import annotations

import typer

from ecombridge.cli import admin, bench, db
from ecombridge.cli import demo as demo_cmd
from ecombridge.cli import errors as errors_cmd
from ecombridge.cli import importer as import_cmd
from ecombridge.cli import relay as relay_cmd
from ecombridge.cli import status as status_cmd
from ecombridge.cli import sync as sync_cmd
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
app.add_typer(relay_cmd.app, name="relay")
app.command("sync")(sync_cmd.sync)
app.command("status")(status_cmd.status)
app.command("errors")(errors_cmd.errors)
app.command("import")(import_cmd.import_)
app.command("demo")(demo_cmd.demo)
