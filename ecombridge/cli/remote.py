"""What the commands that talk to a running bridge share: connection options, the SDK client,
one-line errors and a progress bar."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ecombridge.client import OBJECT_TYPES, BridgeError, Client

DEFAULT_BASE_URL = "http://127.0.0.1:8080"

BaseUrl = Annotated[
    str,
    typer.Option("--base-url", envvar="ECOMBRIDGE_BASE_URL", help="The bridge's base URL."),
]
ApiKey = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        envvar="ECOMBRIDGE_API_KEY",
        help="A portal API key (hapikey).",
        show_default=False,
    ),
]
AccessToken = Annotated[
    str | None,
    typer.Option(
        "--access-token",
        envvar="ECOMBRIDGE_ACCESS_TOKEN",
        help="An app's OAuth access token or a private-app token.",
        show_default=False,
    ),
]
StoreId = Annotated[str, typer.Option("--store-id", help="The store the data belongs to.")]
IdColumn = Annotated[
    str, typer.Option("--id-column", help="The field holding each record's external id.")
]
Associate = Annotated[
    list[str] | None,
    typer.Option(
        "--associate",
        help="TYPE=COLUMN: the column holds the id of an associated object (repeatable).",
        show_default=False,
    ),
]

err_console = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Print one line to stderr; the caller raises the returned Exit(1)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def require_object_type(object_type: str) -> None:
    if object_type not in OBJECT_TYPES:
        raise fail(f"object type {object_type!r}: use one of {', '.join(OBJECT_TYPES)}")


def connect(
    base_url: str,
    api_key: str | None,
    access_token: str | None,
    *,
    developer_api_key: str | None = None,
    app_id: int | None = None,
) -> Client:
    if not (api_key or access_token or developer_api_key):
        raise fail("no credentials: pass --api-key or --access-token (or set ECOMBRIDGE_API_KEY).")
    return Client(
        base_url,
        api_key=api_key,
        access_token=access_token,
        developer_api_key=developer_api_key,
        app_id=app_id,
    )


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn the SDK's exceptions and unreadable input into one clear line and exit code 1."""
    try:
        yield
    except BridgeError as exc:
        raise fail(str(exc)) from None
    except (OSError, ValueError, KeyError) as exc:
        detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        raise fail(detail) from None


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        # Logs and pipes get the summary line only, not a stream of redraws.
        disable=not err_console.is_terminal,
    )
