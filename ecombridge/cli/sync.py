"""``ecombridge sync``: send objects of one type from JSON, NDJSON or CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ecombridge.cli.records import FORMATS, parse_associations, read_rows, sync_messages
from ecombridge.cli.remote import (
    DEFAULT_BASE_URL,
    AccessToken,
    ApiKey,
    Associate,
    BaseUrl,
    IdColumn,
    StoreId,
    connect,
    fail,
    progress_bar,
    reporting_errors,
    require_object_type,
)
from ecombridge.client import SyncMessage, V1SyncMessage


def sync(
    object_type: Annotated[str, typer.Argument(help="CONTACT, PRODUCT, DEAL or LINE_ITEM.")],
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Files of records (.json, .ndjson/.jsonl or .csv).", show_default=False
        ),
    ],
    store_id: StoreId = "default",
    id_column: IdColumn = "id",
    associate: Associate = None,
    file_format: Annotated[
        str, typer.Option("--format", help=f"One of {', '.join(FORMATS)} (auto: by extension).")
    ] = "auto",
    delete: Annotated[
        bool, typer.Option("--delete", help="Send DELETE messages instead of UPSERT.")
    ] = False,
    v1: Annotated[
        bool, typer.Option("--v1", help="Send through the v1 sync-messages API.")
    ] = False,
    base_url: BaseUrl = DEFAULT_BASE_URL,
    api_key: ApiKey = None,
    access_token: AccessToken = None,
) -> None:
    """Send objects of one type to the bridge, in batches of 200, with a progress bar."""
    require_object_type(object_type)
    if file_format not in FORMATS:
        raise fail(f"--format {file_format!r}: use one of {', '.join(FORMATS)}")
    action = "DELETE" if delete else "UPSERT"
    with reporting_errors():
        links = parse_associations(associate or [])
        messages: list[SyncMessage] = []
        for path in files:
            rows = read_rows(path, file_format)
            messages.extend(
                sync_messages(
                    rows, id_column=id_column, associate=links, action=action, where=str(path)
                )
            )
        with connect(base_url, api_key, access_token) as bridge, progress_bar() as progress:
            task = progress.add_task(f"{object_type} -> {escape(store_id)}", total=len(messages))

            def advance(n: int) -> None:
                progress.advance(task, n)

            if v1:
                v1_messages = [
                    V1SyncMessage(m.external_object_id, m.properties, m.action, m.changed_at)
                    for m in messages
                ]
                sent = bridge.v1_send_sync_messages(object_type, v1_messages, on_batch=advance)
            else:
                sent = bridge.send_sync_messages(
                    object_type, messages, store_id=store_id, on_batch=advance
                )
    typer.echo(f"Sent {sent} {object_type} messages to store {store_id!r}.")
