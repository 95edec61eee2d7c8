"""Options shared by several commands."""

from __future__ import annotations

from typing import Annotated

import typer

from ecombridge.config import get_config
from ecombridge.db import migrate
from ecombridge.db.engine import Database

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
