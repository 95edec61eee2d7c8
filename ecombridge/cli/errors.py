"""``ecombridge errors``: sync errors in a table, filtered, paged automatically."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from itertools import islice
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ecombridge.cli.remote import (
    DEFAULT_BASE_URL,
    AccessToken,
    ApiKey,
    BaseUrl,
    connect,
    fail,
    reporting_errors,
)

SCOPES = ("auto", "portal", "app", "app-in-portal")


def _when(ms: int | None) -> str:
    if ms is None:
        return "-"
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


def errors(
    object_type: Annotated[
        str | None, typer.Option("--object-type", help="Only errors of this object type.")
    ] = None,
    error_type: Annotated[
        str | None,
        typer.Option("--type", help="Only this error type, e.g. INVALID_EMAIL_ADDRESS."),
    ] = None,
    include_resolved: Annotated[
        bool, typer.Option("--include-resolved", help="Also list errors resolved since.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="Show at most this many errors.")] = 100,
    scope: Annotated[
        str,
        typer.Option(
            "--scope",
            help="portal (API key), app (developer key + app id), app-in-portal (access token);"
            " auto picks by the credentials given.",
        ),
    ] = "auto",
    app_id: Annotated[
        int | None, typer.Option("--app-id", help="The app, for --scope app.", show_default=False)
    ] = None,
    developer_api_key: Annotated[
        str | None,
        typer.Option(
            "--developer-api-key",
            envvar="ECOMBRIDGE_DEVELOPER_API_KEY",
            help="The app developer's API key, for --scope app.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print errors as JSON lines.")] = False,
    base_url: BaseUrl = DEFAULT_BASE_URL,
    api_key: ApiKey = None,
    access_token: AccessToken = None,
) -> None:
    """List sync errors, newest first, following the bridge's paging."""
    if scope not in SCOPES:
        raise fail(f"--scope {scope!r}: use one of {', '.join(SCOPES)}")
    if scope == "auto":
        if developer_api_key and app_id is not None:
            scope = "app"
        elif access_token and not api_key:
            scope = "app-in-portal"
        else:
            scope = "portal"
    with reporting_errors():
        client = connect(
            base_url, api_key, access_token, developer_api_key=developer_api_key, app_id=app_id
        )
        with client as bridge:
            found = list(
                islice(
                    bridge.iter_sync_errors(
                        scope.replace("-", "_"),
                        include_resolved=include_resolved,
                        error_type=error_type,
                        object_type=object_type,
                    ),
                    max(0, limit),
                )
            )
    console = Console()  # made per call: its width follows the terminal (or COLUMNS) now
    if as_json:
        for error in found:
            typer.echo(json.dumps(asdict(error)))
        return
    if not found:
        console.print("No sync errors.")
        return
    # Compact enough for an 80-column terminal: the object cell holds type, id and store.
    table = Table(title="Sync errors (newest first)", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("erroredAt (UTC)", min_width=10)
    table.add_column("type / status", min_width=14, overflow="fold")
    table.add_column("object", min_width=14, overflow="fold")
    table.add_column("details", min_width=16, ratio=1, overflow="fold")
    for error in found:
        table.add_row(
            _when(error.errored_at),
            f"{error.type}\n{error.status}",
            f"{error.object_type} {escape(error.external_object_id)}\n"
            f"[dim]store {escape(error.store_id or '-')}[/dim]",
            escape(error.details),
        )
    console.print(table)
    console.print(f"{len(found)} error(s){' (limit reached)' if len(found) == limit else ''}.")
