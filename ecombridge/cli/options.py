"""Options shared by several commands."""

from __future__ import annotations

from typing import Annotated

import typer

from ecombridge.config import get_config
from ecombridge.db import migrate
from ecombridge.db.engine import Database
from ecombridge.errors import BridgeError
from ecombridge.outbound.addresses import AddressPolicy
from ecombridge.tenancy import service as tenancy

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Database URL (default: ECOMBRIDGE_DATABASE_URL or a SQLite file under ./data/).",
        show_default=False,
    ),
]


def resolve_database_url(database_url: str | None) -> str:
    return database_url or get_config().database_url


def open_database(database_url: str | None, *, upgrade: bool = True) -> Database:
    """The configured database, migrated to the newest schema first."""
    url = resolve_database_url(database_url)
    if upgrade:
        migrate.upgrade(url)
    return Database(url, sqlite_synchronous=get_config().sqlite_synchronous)


def open_checked_database(database_url: str | None) -> Database:
    """``open_database`` for the long-running processes (serve, worker): a configuration they
    cannot work with (no key for the app secrets, a bad ECOMBRIDGE_WEBHOOK_ALLOW_PRIVATE) is
    one line on stderr and exit status 1 at start, not a failure at the first request or job."""
    try:
        AddressPolicy.from_env()
        db = open_database(database_url)
        with db.read() as conn:
            tenancy.check_secret_key(conn)
    except (BridgeError, ValueError) as exc:
        typer.echo(f"error: {getattr(exc, 'message', exc)}", err=True)
        raise typer.Exit(1) from None
    return db
