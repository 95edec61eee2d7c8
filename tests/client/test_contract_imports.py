"""Contract: a whole import driven by the SDK. The bridge calls the SDK's ``ImportWebhook`` (a
live ASGI server) with a signed request, the ``Importer`` sends pages and ends, and the progress
endpoint reports it complete."""

from __future__ import annotations

from typing import Any

from ecombridge.client import (
    Importer,
    ImportMessage,
    Store,
    V1SyncMessage,
)
from tests.client.contract import app_client, developer_client, settings
from tests.client.import_hook import Hook
from tests.support.factories import InstalledApp
from tests.support.jobs import RunJobs
from tests.support.live import LiveServer

RECORDS: dict[str, list[Any]] = {
    "PRODUCT": [
        ImportMessage(f"p{i}", {"name": f"Product {i}", "price": 10 + i}) for i in range(3)
    ],
    "CONTACT": [ImportMessage(f"c{i}", {"email": f"c{i}@shop.test"}) for i in range(250)],
    "DEAL": [ImportMessage("d1", {"name": "Order 1", "stage": "processed"}, {"CONTACT": ["c1"]})],
    "LINE_ITEM": [
        ImportMessage("l1", {"name": "Line", "quantity": 2}, {"DEAL": ["d1"], "PRODUCT": ["p1"]})
    ],
}


def test_import_end_to_end(
    live_server: LiveServer, installed_app: InstalledApp, import_hook: Hook, run_jobs: RunJobs
) -> None:
    import_hook.counts = {object_type: len(records) for object_type, records in RECORDS.items()}
    integrator, hook_url = import_hook, import_hook.url
    dev = developer_client(live_server, installed_app)
    app = app_client(live_server, installed_app)
    with dev, app:
        dev.put_settings(settings(webhook_uri=hook_url))
        app.put_store(Store("shop", "Shop"))
        started = app.start_import("shop")
        assert started.store_id == "shop"
        run_jobs()  # the bridge sends the signed webhook; the SDK's handler answers the counts
        assert [r.import_started_at for r in integrator.requests] == [started.import_started_at]

        pages: list[tuple[str, int]] = []
        ends = Importer(started.import_started_at, "shop").run(
            app, RECORDS, on_page=lambda t, n: pages.append((t, n))
        )
        assert ("CONTACT", 200) in pages and ("CONTACT", 50) in pages
        assert ends["CONTACT"].page_count == 2 and ends["CONTACT"].item_count == 250
        run_jobs()

        progress = app.import_progress("shop", started.import_started_at)
        assert progress.state == "COMPLETE", progress.raw
        assert progress.object_types["CONTACT"]["announced"] == 250
        assert progress.object_types["CONTACT"]["applied"] == 250
        assert app.import_progress("shop").import_started_at == started.import_started_at
        assert app.sync_status("LINE_ITEM", "l1", store_id="shop").hubspot_id is not None


def test_v1_import_pages_can_be_read_back(
    live_server: LiveServer, installed_app: InstalledApp, import_hook: Hook, run_jobs: RunJobs
) -> None:
    hook_url = import_hook.url
    dev = developer_client(live_server, installed_app)
    app = app_client(live_server, installed_app)
    with dev, app:
        dev.put_settings(settings(webhook_uri=hook_url))
        started = app.start_import("default")
        run_jobs()
        ts = started.import_started_at
        app.v1_import_page(ts, "PRODUCT", 0, RECORDS["PRODUCT"])
        assert [m.external_object_id for m in app.v1_get_import_page(ts, "PRODUCT", 0)] == [
            "p0",
            "p1",
            "p2",
        ]
        app.v1_import_end(ts, "PRODUCT", 1, 3)
        # v1 sync through the same token still works alongside an import
        app.v1_send_sync_messages("CONTACT", [V1SyncMessage("x", {"email": "x@shop.test"})])


def test_webhook_served_by_a_wsgi_server_answers_the_bridge(
    live_server: LiveServer, installed_app: InstalledApp, wsgi_import_hook: Hook, run_jobs: RunJobs
) -> None:
    wsgi_import_hook.counts = {"PRODUCT": 3}
    dev = developer_client(live_server, installed_app)
    app = app_client(live_server, installed_app)
    with dev, app:
        dev.put_settings(settings(webhook_uri=wsgi_import_hook.url))
        started = app.start_import("default")
        run_jobs()
        progress = app.import_progress("default", started.import_started_at)
    assert [r.import_started_at for r in wsgi_import_hook.requests] == [started.import_started_at]
    assert progress.state == "RECEIVING", progress.raw
    assert progress.object_types["PRODUCT"]["announced"] == 3
