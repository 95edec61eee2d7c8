"""``ecombridge import``: run an import of a store's history from files per object type."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from ecombridge.cli.records import import_messages, parse_associations, read_rows
from ecombridge.cli.remote import (
    DEFAULT_BASE_URL,
    AccessToken,
    Associate,
    BaseUrl,
    IdColumn,
    StoreId,
    connect,
    fail,
    progress_bar,
    reporting_errors,
)
from ecombridge.client import Client, Importer, ImportMessage, ImportProgress

FINAL_STATES = ("COMPLETE", "FAILED")


def _file_option(object_type: str) -> object:
    return typer.Option(
        f"--{object_type.lower().replace('_', '-')}s",
        help=f"Records of {object_type} (.json, .ndjson or .csv).",
        show_default=False,
    )


def _wait(bridge: Client, store_id: str, started_at: int, timeout: float) -> ImportProgress:
    deadline = time.monotonic() + timeout
    with progress_bar() as progress:
        task = progress.add_task("applying", total=None)
        while True:
            state = bridge.import_progress(store_id, started_at)
            totals = state.totals
            progress.update(
                task, completed=totals.get("applied", 0), total=totals.get("received") or None
            )
            if state.state in FINAL_STATES or time.monotonic() > deadline:
                return state
            time.sleep(0.5)


def import_(
    products: Annotated[Path | None, _file_option("PRODUCT")] = None,
    contacts: Annotated[Path | None, _file_option("CONTACT")] = None,
    deals: Annotated[Path | None, _file_option("DEAL")] = None,
    line_items: Annotated[Path | None, _file_option("LINE_ITEM")] = None,
    store_id: StoreId = "default",
    import_started_at: Annotated[
        int | None,
        typer.Option(
            "--import-started-at",
            help="Send pages for this import (the webhook's importStartedAt); default: start one.",
            show_default=False,
        ),
    ] = None,
    id_column: IdColumn = "id",
    associate: Associate = None,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Wait until the bridge has applied it.")
    ] = True,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait at most.")] = 300.0,
    base_url: BaseUrl = DEFAULT_BASE_URL,
    access_token: AccessToken = None,
) -> None:
    """Import a store's history (needs an installed app's access token).

    Without --import-started-at, asks the bridge to start an import first (the app's import
    webhook must be set). Sends every file in pages, ends all four object types, then waits.
    """
    if not access_token:
        raise fail("imports need an installed app's access token: pass --access-token.")
    files = {"PRODUCT": products, "CONTACT": contacts, "DEAL": deals, "LINE_ITEM": line_items}
    with reporting_errors():
        links = parse_associations(associate or [])
        records: dict[str, list[ImportMessage]] = {
            object_type: list(
                import_messages(
                    read_rows(path), id_column=id_column, associate=links, where=str(path)
                )
            )
            for object_type, path in files.items()
            if path is not None
        }
        total = sum(len(r) for r in records.values())
        with connect(base_url, None, access_token) as bridge:
            if import_started_at is None:
                import_started_at = bridge.start_import(store_id).import_started_at
                typer.echo(f"Started import {import_started_at} of store {store_id!r}.")
            importer = Importer(import_started_at, store_id)
            with progress_bar() as progress:
                task = progress.add_task("sending pages", total=total)
                importer.run(bridge, records, on_page=lambda _t, n: progress.advance(task, n))
            typer.echo(f"Sent {total} records in pages; all four object types ended.")
            if not wait:
                return
            final = _wait(bridge, store_id, import_started_at, timeout)
    applied = final.totals.get("applied", 0)
    if final.state == "FAILED":
        raise fail(f"import {import_started_at} failed: {final.failure_reason or 'see its events'}")
    typer.echo(f"Import {import_started_at}: {final.state}, {applied} of {total} records applied.")
