"""``ecombridge status``: the sync status of one object."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ecombridge.cli.remote import (
    DEFAULT_BASE_URL,
    AccessToken,
    ApiKey,
    BaseUrl,
    StoreId,
    connect,
    fail,
    reporting_errors,
    require_object_type,
)
from ecombridge.client import BadRequest


def status(
    object_type: Annotated[str, typer.Argument(help="CONTACT, PRODUCT, DEAL or LINE_ITEM.")],
    external_object_id: Annotated[str, typer.Argument(help="The object's id in your store.")],
    store_id: StoreId = "default",
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
    base_url: BaseUrl = DEFAULT_BASE_URL,
    api_key: ApiKey = None,
    access_token: AccessToken = None,
) -> None:
    """Show the sync status of one object: its CRM id, when it was processed, its errors."""
    require_object_type(object_type)
    with reporting_errors(), connect(base_url, api_key, access_token) as bridge:
        try:
            result = bridge.sync_status(object_type, external_object_id, store_id=store_id)
        except BadRequest as exc:
            raise fail(
                f"{object_type} {external_object_id!r} is not known yet ({exc.message})"
            ) from None
    if as_json:
        typer.echo(json.dumps(asdict(result)))
        return
    console = Console()
    outcome = "failed" if result.failed else ("synced" if result.hubspot_id else "pending")
    header = f"{object_type} {escape(result.external_object_id)}"
    console.print(f"[bold]{header}[/bold] in store {escape(result.store_id)}")
    console.print(f"  state:             {outcome}")
    console.print(f"  hubspotId:         {result.hubspot_id if result.hubspot_id else '-'}")
    console.print(f"  lastProcessedAt:   {_when(result.last_processed_at)}")
    if result.errors:
        table = Table("erroredAt", "type", "status", "details", title="Errors")
        for error in result.errors:
            table.add_row(_when(error.errored_at), error.type, error.status, escape(error.details))
        console.print(table)


def _when(ms: int | None) -> str:
    if ms is None:
        return "-"
    return f"{ms} ({datetime.fromtimestamp(ms / 1000, UTC):%Y-%m-%d %H:%M:%S} UTC)"
