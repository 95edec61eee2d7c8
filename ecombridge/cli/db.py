"""``ecombridge db``: schema migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from ecombridge.cli.options import DatabaseUrl, resolve_database_url
from ecombridge.db import migrate

app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


@app.command()
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    database_url: DatabaseUrl = None,
) -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    migrate.upgrade(resolve_database_url(database_url), revision)
    typer.echo(f"database at {revision}")


@app.command()
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. base.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Migrate the database down to REVISION."""
    migrate.downgrade(resolve_database_url(database_url), revision)
    typer.echo(f"database at {revision}")
