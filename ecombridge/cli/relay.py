"""``ecombridge relay``: destinations a portal's data is delivered to (uses services directly)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ecombridge.cli.admin import Json, _run
from ecombridge.cli.options import DatabaseUrl
from ecombridge.relay import service
from ecombridge.relay.definitions import DEFAULT_BASE_URL
from ecombridge.relay.schemas import DestinationChanges, NewDestination
from ecombridge.relay.schemas import access_token as checked_token
from ecombridge.relay.schemas import base_url as checked_base_url
from ecombridge.relay.schemas import store_ids as checked_store_ids

app = typer.Typer(
    help="Deliver a portal's data into HubSpot portals (CRM v3).", no_args_is_help=True
)
console = Console()

PortalId = Annotated[int, typer.Option("--portal-id", help="The portal whose data is delivered.")]
DestinationId = Annotated[int, typer.Option("--destination-id", help="The destination.")]


def _print(result: Any, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result))
    elif isinstance(result, dict):
        for key, value in result.items():
            console.print(f"[bold]{key}[/bold]: {value}")
    else:
        table = Table(
            "id", "state", "pending", "delivered", "failed", "lag (s)", "base URL", "reason"
        )
        for d in result:
            table.add_row(
                str(d["destinationId"]),
                d["state"],
                str(d["pending"]),
                str(d["delivered"]),
                str(d["failed"]),
                str(d["lagSeconds"]),
                d["baseUrl"],
                d["reason"] or "",
            )
        console.print(table)


@app.command("add")
def add(
    portal_id: PortalId,
    access_token: Annotated[
        str, typer.Option("--access-token", help="A private-app token of the target portal.")
    ],
    base_url: Annotated[
        str, typer.Option("--base-url", help="The target's CRM API base URL.")
    ] = DEFAULT_BASE_URL,
    store_id: Annotated[
        list[str] | None,
        typer.Option("--store-id", help="Deliver only these stores' data (repeatable)."),
    ] = None,
    database_url: DatabaseUrl = None,
    as_json: Json = False,
) -> None:
    """Add a destination; a worker sets up the target, backfills and delivers."""

    def action(conn: Any) -> int:
        new = NewDestination(
            checked_base_url(base_url), checked_token(access_token), checked_store_ids(store_id)
        )
        return service.add_destination(conn, portal_id, new)

    _print({"destinationId": _run(database_url, action)}, as_json)


@app.command("status")
def status(portal_id: PortalId, database_url: DatabaseUrl = None, as_json: Json = False) -> None:
    """Each destination's state, pending/delivered/failed objects, lag and backfill."""
    _print(_run(database_url, lambda conn: service.list_status(conn, portal_id)), as_json)


def _change(database_url: str | None, dest_id: int, changes: DestinationChanges) -> dict[str, Any]:
    def action(conn: Any) -> dict[str, Any]:
        service.change_destination(conn, None, dest_id, changes)
        return service.get_status(conn, None, dest_id)

    return dict(_run(database_url, action))


@app.command("pause")
def pause(dest_id: DestinationId, database_url: DatabaseUrl = None, as_json: Json = False) -> None:
    """Stop delivering (changes keep being collected)."""
    _print(_change(database_url, dest_id, DestinationChanges(paused=True)), as_json)


@app.command("resume")
def resume(dest_id: DestinationId, database_url: DatabaseUrl = None, as_json: Json = False) -> None:
    """Deliver again, from where it stopped."""
    _print(_change(database_url, dest_id, DestinationChanges(paused=False)), as_json)


@app.command("set-token")
def set_token(
    dest_id: DestinationId,
    access_token: Annotated[str, typer.Option("--access-token", help="The new token.")],
    database_url: DatabaseUrl = None,
    as_json: Json = False,
) -> None:
    """Replace a destination's token (a revoked one) and retry at once."""
    changes = DestinationChanges(access_token=access_token)
    _print(_change(database_url, dest_id, changes), as_json)


@app.command("remove")
def remove(dest_id: DestinationId, database_url: DatabaseUrl = None, as_json: Json = False) -> None:
    """Remove a destination and its pending deliveries (the target keeps what it has)."""

    def action(conn: Any) -> None:
        service.remove_destination(conn, None, dest_id)  # raises the not-found error

    _run(database_url, action)
    _print({"destinationId": dest_id, "removed": True}, as_json)
