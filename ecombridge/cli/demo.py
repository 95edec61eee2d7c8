"""``ecombridge demo``: fill a bridge with a realistic demo shop through the SDK."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import TaskID

from ecombridge.cli.remote import (
    DEFAULT_BASE_URL,
    ApiKey,
    BaseUrl,
    connect,
    fail,
    progress_bar,
    reporting_errors,
)
from ecombridge.client import BadRequest, Client
from ecombridge.demo.generator import SIZES, DemoShop, generate


def _end_ms(end_date: str | None) -> int:
    """Orders end at the start of ``end_date`` (default: today), UTC: fixed for a given day."""
    day = date.fromisoformat(end_date) if end_date else datetime.now(UTC).date()
    return int(datetime.combine(day, dtime.min, UTC).timestamp() * 1000)


def _write(shop: DemoShop, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for object_type, messages in shop.by_type().items():
        with (out / f"{object_type.lower()}.ndjson").open("w", encoding="utf-8") as handle:
            for message in messages:
                handle.write(json.dumps(message.to_wire()) + "\n")
    (out / "settings.json").write_text(json.dumps(shop.settings.to_wire(), indent=2))
    (out / "store.json").write_text(json.dumps(asdict(shop.store), indent=2))


def _wait_applied(bridge: Client, shop: DemoShop, timeout: float) -> bool:
    """Wait until the last message of every type has been processed (workers apply batches in
    the background, several workers possibly out of order)."""
    pending = {t: m[-1].external_object_id for t, m in shop.by_type().items() if m}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for object_type, external_id in list(pending.items()):
            try:
                status = bridge.sync_status(object_type, external_id, store_id=shop.store.id)
            except BadRequest:
                continue
            if status.last_processed_at is not None:
                del pending[object_type]
        if pending:
            time.sleep(0.25)
    return not pending


def demo(
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same shop.")] = 42,
    size: Annotated[str, typer.Option("--size", help=f"One of {', '.join(SIZES)}.")] = "medium",
    store_id: Annotated[
        str, typer.Option("--store-id", help="The demo store's id.")
    ] = "demo-outfitters",
    end_date: Annotated[
        str | None,
        typer.Option(
            "--end-date",
            help="YYYY-MM-DD: orders cover the 90 days before it (default: today, UTC).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Only write the shop as NDJSON files to this directory; send nothing.",
            show_default=False,
        ),
    ] = None,
    wait: Annotated[
        bool,
        typer.Option("--wait/--no-wait", help="Wait until the bridge has applied everything."),
    ] = True,
    base_url: BaseUrl = DEFAULT_BASE_URL,
    api_key: ApiKey = None,
) -> None:
    """Generate a demo shop and sync it: settings, store, then every object.

    Deterministic from --seed: customers, a catalogue with image URLs, 90 days of orders with
    1-5 line items, abandoned checkouts, cancellations and a few invalid records.
    """
    if size not in SIZES:
        raise fail(f"--size {size!r}: use one of {', '.join(SIZES)}")
    with reporting_errors():
        shop = generate(seed, size, end_ms=_end_ms(end_date), store_id=store_id)
        if out is not None:
            _write(shop, out)
            typer.echo(f"Wrote {shop.total} messages to {out}.")
            return
        if not api_key:
            raise fail("the demo writes portal settings: pass the portal's --api-key.")
        started = time.monotonic()
        with connect(base_url, api_key, None) as bridge:
            bridge.put_settings(shop.settings)
            # The portal's first store also creates its CRM schema and ecommerce pipeline.
            bridge.put_store(shop.store)
            with progress_bar() as progress:
                for object_type, messages in shop.by_type().items():
                    task = progress.add_task(object_type, total=len(messages))

                    def advance(n: int, task: TaskID = task) -> None:
                        progress.advance(task, n)

                    bridge.send_sync_messages(
                        object_type, messages, store_id=shop.store.id, on_batch=advance
                    )
            applied = _wait_applied(bridge, shop, timeout=120.0) if wait else None
    counts = ", ".join(f"{len(m)} {t}" for t, m in shop.by_type().items())
    typer.echo(f"Demo store {shop.store.id!r} ({shop.store.label}): sent {counts}.")
    if applied is False:
        typer.echo("The bridge is still applying the batches (is a worker running?).")
    typer.echo(
        f"Done in {time.monotonic() - started:.1f}s. A few records were invalid on purpose: "
        "see them with `ecombridge errors`."
    )
