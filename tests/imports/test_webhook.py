"""Starting an import: POST /extensions/ecomm/v2/imports/start sends the app's signed import
webhook (reference §8) to a live integrator, whose importCounts reply announces the totals."""

from __future__ import annotations

import json

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from ecombridge.db.tables import apps
from ecombridge.imports import service, webhook
from tests.imports.conftest import STORE, V2, Importer
from tests.imports.integrator import Integrator, Reply, counts_reply
from tests.support.factories import InstalledApp, Portal
from tests.support.live import free_port
from tests.support.wire import assert_hubspot_error


def test_start_sends_the_signed_webhook_and_reads_the_counts(
    ready: Importer, integrator: Integrator, portal: Portal
) -> None:
    integrator.replies = [counts_reply(24, 792, 0, 901)]
    response = ready.start()
    assert response.status_code == 202
    started = response.json()
    assert started["state"] == "AWAITING_COUNTS"
    assert started["storeId"] == STORE
    started_at = started["importStartedAt"]

    assert ready.run_jobs() == 2  # the webhook; then the apply, which finds no page yet
    (webhook,) = integrator.received
    assert webhook.path == "/hubspot/import"
    assert webhook.v3_valid and webhook.v1_valid
    assert webhook.headers["X-HubSpot-Signature-Version"] == "v1"
    assert webhook.body == {
        "portalId": portal.id,
        "storeId": STORE,
        "importStartedAt": started_at,
        "settingsToImport": [
            {"settingsId": 1, "objectType": "PRODUCT"},
            {"settingsId": 2, "objectType": "CONTACT"},
            {"settingsId": 3, "objectType": "LINE_ITEM"},
            {"settingsId": 4, "objectType": "DEAL"},
        ],
    }

    progress = ready.progress()
    assert progress["state"] == "RECEIVING"
    announced = {t: v["announced"] for t, v in progress["objectTypes"].items()}
    assert announced == {"PRODUCT": 24, "CONTACT": 792, "DEAL": 901, "LINE_ITEM": 0}
    assert progress["totals"] == {"announced": 1717, "received": 0, "applied": 0}


def test_v1_import_trigger_uri_gets_the_webhook_without_store(
    importer: Importer, integrator: Integrator, portal: Portal
) -> None:
    importer.configure(webhook_uri=None, trigger_uri=integrator.url)
    started_at = importer.started("default")
    (webhook,) = integrator.received
    assert webhook.v3_valid and webhook.v1_valid
    assert webhook.body["portalId"] == portal.id
    assert webhook.body["importStartedAt"] == started_at
    assert "storeId" not in webhook.body
    assert importer.progress("default")["state"] == "RECEIVING"


def test_v1_only_app_cannot_import_a_named_store(
    importer: Importer, integrator: Integrator
) -> None:
    importer.configure(webhook_uri=None, trigger_uri=integrator.url)
    importer.create_store()
    response = importer.start()
    assert response.status_code == 400
    assert "webhookUri" in response.json()["message"]


def test_start_without_a_webhook_uri_says_what_to_configure(importer: Importer) -> None:
    importer.configure(webhook_uri=None)
    importer.create_store()
    response = importer.start()
    assert response.status_code == 400
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    message = response.json()["message"]
    assert "webhookUri" in message and "importTriggerUri" in message


def test_start_of_an_unknown_store_is_404(ready: Importer) -> None:
    response = ready.start("no-such-store")
    assert response.status_code == 404
    assert_hubspot_error(response.json(), "OBJECT_NOT_FOUND")


def test_second_start_while_one_is_in_progress_is_409(ready: Importer) -> None:
    first = ready.started()
    response = ready.start()
    assert response.status_code == 409
    assert_hubspot_error(response.json(), "CONFLICT")
    assert str(first) in response.json()["message"]


def test_only_an_app_installation_may_start(
    client: TestClient, ready: Importer, portal: Portal
) -> None:
    body = {"storeId": STORE}
    with_key = client.post(f"{V2}/imports/start?hapikey={portal.api_key}", json=body)
    assert with_key.status_code == 403
    assert_hubspot_error(with_key.json(), "INVALID_AUTHENTICATION")
    assert "OAuth access token" in with_key.json()["message"]
    anonymous = client.post(f"{V2}/imports/start", json=body)
    assert anonymous.status_code == 401
    assert_hubspot_error(anonymous.json(), "INVALID_AUTHENTICATION")


def test_start_body_must_name_the_store(ready: Importer) -> None:
    response = ready.client.post(f"{V2}/imports/start", json={}, headers=ready.auth)
    assert response.status_code == 400
    assert "storeId" in response.json()["message"]


def test_unreachable_webhook_is_retried_then_fails_the_import(importer: Importer) -> None:
    importer.configure(webhook_uri=f"http://127.0.0.1:{free_port()}/import")
    importer.create_store()
    assert importer.start().status_code == 202
    importer.run_jobs()
    for _ in range(6):
        importer.run_jobs(later_ms=3_600_000)
    progress = importer.progress()
    assert progress["state"] == "FAILED"
    assert progress["failureReason"] == (
        "the import webhook failed after 5 attempts: no HTTP answer."
    )
    retried = [e for e in progress["events"] if "will retry" in e["message"]]
    assert len(retried) == 4
    # A failed import no longer blocks a new one.
    assert importer.start().status_code == 202


def test_server_error_is_retried_with_backoff(ready: Importer, integrator: Integrator) -> None:
    integrator.replies = [Reply(500, "oops"), counts_reply(1, 1, 1, 1)]
    assert ready.start().status_code == 202
    ready.run_jobs()
    assert ready.progress()["state"] == "AWAITING_COUNTS"
    assert ready.run_jobs() == 0  # the retry waits for its backoff
    ready.run_jobs(later_ms=60_000)
    progress = ready.progress()
    assert progress["state"] == "RECEIVING"
    assert len(integrator.received) == 2
    messages = [e["message"] for e in progress["events"]]
    assert any("HTTP 500" in m and "will retry" in m for m in messages)


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(200, "<html>ok</html>"), "not a JSON object with an importCounts list"),
        (Reply(200, json.dumps({"counts": []})), "not a JSON object with an importCounts list"),
        (Reply(200, json.dumps({"importCounts": [{"settingsId": 9, "count": 1}]})), "unknown"),
        (Reply(200, json.dumps({"importCounts": [{"settingsId": "1", "count": 1}]})), "integer"),
        (Reply(200, json.dumps({"importCounts": [{"settingsId": 1, "count": "x"}]})), "count"),
        (Reply(404, "not here"), "HTTP 404"),
    ],
)
def test_malformed_reply_fails_the_import_with_a_reason(
    ready: Importer, integrator: Integrator, reply: Reply, reason: str
) -> None:
    integrator.replies = [reply]
    ready.started()
    progress = ready.progress()
    assert progress["state"] == "FAILED"
    assert reason in progress["failureReason"]


def test_start_import_service_for_the_web_ui(
    db: Database, ready: Importer, installed_app: InstalledApp, portal: Portal
) -> None:
    with db.write() as conn:
        row = service.start_import(conn, portal.id, installed_app.app_id, STORE)
    assert row.state == "AWAITING_COUNTS"
    ready.run_jobs()
    assert ready.progress(started_at=row.started_at)["state"] == "RECEIVING"


def test_a_stored_uri_that_is_not_http_fails_at_once(
    importer: Importer, db: Database, installed_app: InstalledApp
) -> None:
    """Only URIs stored before they were checked on save can be unusable."""
    importer.configure(webhook_uri=None)
    with db.write() as conn:
        conn.execute(
            sa.update(apps)
            .where(apps.c.id == installed_app.app_id)
            .values(import_trigger_uri="ftp://shop.example/import")
        )
    importer.create_store("default")
    assert importer.start("default").status_code == 202
    importer.run_jobs()
    progress = importer.progress("default")
    assert progress["state"] == "FAILED"
    assert progress["failureReason"] == "the import webhook URI is not an absolute http(s) URL."


def test_slow_webhook_times_out_and_is_retried(
    ready: Importer, integrator: Integrator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook, "TIMEOUT", httpx.Timeout(0.3))
    integrator.replies = [Reply(200, "{}", delay_s=1.0), counts_reply(0, 0, 0, 0)]
    assert ready.start().status_code == 202
    ready.run_jobs()
    ready.run_jobs(later_ms=60_000)
    progress = ready.progress()
    assert progress["state"] == "RECEIVING"
    assert any("failed (no HTTP answer)" in e["message"] for e in progress["events"])


@pytest.mark.parametrize("status", [200, 404, 302])
def test_a_reply_body_is_never_quoted_back(
    ready: Importer, integrator: Integrator, status: int
) -> None:
    """The app learns the status of what answered at its URI, never what it said."""
    integrator.replies = [Reply(status, "<h1>internal admin: db=10.0.0.7 password=hunter2</h1>")]
    ready.started()
    progress = ready.progress()
    assert progress["state"] == "FAILED"
    assert f"HTTP {status}" in progress["failureReason"]
    texts = [progress["failureReason"], *(e["message"] for e in progress["events"])]
    assert not any("internal" in t or "hunter2" in t or "<h1>" in t for t in texts)


def test_a_reply_too_large_is_not_read(
    ready: Importer, integrator: Integrator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook, "MAX_REPLY_BYTES", 100)
    integrator.replies = [Reply(200, json.dumps({"importCounts": [], "pad": "x" * 200}))]
    ready.started()
    assert "larger than 100 bytes" in ready.progress()["failureReason"]


def webhook_events(importer: Importer, store_id: str) -> list[str]:
    """The webhook's events of a first attempt at importing a new store."""
    importer.create_store(store_id)
    assert importer.start(store_id).status_code == 202
    importer.run_jobs()
    events = importer.progress(store_id)["events"]
    return [e["message"] for e in events if "Webhook" in e["message"]]


def test_a_refused_address_a_closed_port_and_a_timeout_look_the_same(
    importer: Importer,
    integrator: Integrator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No port-scan oracle: what the app sees does not tell its causes apart (the operator's
    log does)."""
    closed = f"http://127.0.0.1:{free_port()}/import"
    importer.configure(webhook_uri=closed)
    refused_connection = webhook_events(importer, "closed-port")

    monkeypatch.setattr(webhook, "TIMEOUT", httpx.Timeout(0.2))
    integrator.replies = [Reply(200, "{}", delay_s=1.0)]
    importer.configure(webhook_uri=integrator.url)
    timed_out = webhook_events(importer, "slow")

    integrator.replies = [counts_reply(1, 1, 1, 1)]
    monkeypatch.delenv("ECOMBRIDGE_WEBHOOK_ALLOW_PRIVATE")  # loopback is refused again
    refused_address = webhook_events(importer, "refused-address")

    expected = ["Webhook attempt 1 failed (no HTTP answer); will retry."]
    assert refused_connection == timed_out == refused_address == expected
    # Only the timed-out one arrived (maybe retried by then); the refused address got nothing.
    assert {r.body["storeId"] for r in integrator.received} == {"slow"}
    logged = caplog.text
    assert "ConnectError" in logged and "ReadTimeout" in logged and "BlockedAddress" in logged
