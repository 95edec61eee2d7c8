"""Continue importing, in a real browser: the bridge calls a local webhook receiver, the app
sends its pages through the API while the store page polls its progress to completion."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from ecombridge.db.engine import Database
from tests.support.factories import InstalledApp, Portal
from tests.support.live import LiveServer
from tests.support.wire import bearer
from tests.web.browser.conftest import Watched, sign_in_browser
from tests.web.factories import PASSWORD, make_user

V2 = "/extensions/ecomm/v2"
STORE = "web-shop"
# settingsId per type as the bridge announces them; counts the receiver answers with
COUNTS = {"PRODUCT": 3, "CONTACT": 2, "LINE_ITEM": 0, "DEAL": 2}


class WebhookReceiver:
    """The app's import webhook endpoint: records each call, answers with importCounts."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                receiver.calls.append(body)
                ids = {s["objectType"]: s["settingsId"] for s in body["settingsToImport"]}
                counts = [{"settingsId": ids[t], "count": n} for t, n in COUNTS.items()]
                payload = json.dumps({"importCounts": counts}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/import-webhook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def receiver(allow_private_webhooks: None) -> Iterator[WebhookReceiver]:
    found = WebhookReceiver()
    found.thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


def _mappings() -> dict[str, Any]:
    def props(*names: str) -> dict[str, Any]:
        pairs = [n.split(":") for n in names]
        return {
            "properties": [{"externalPropertyName": e, "hubspotPropertyName": h} for e, h in pairs]
        }

    return {
        "CONTACT": props("email:email", "first:firstname"),
        "PRODUCT": props("title:name", "price:price"),
        "DEAL": props("title:dealname", "total:amount", "status:dealstage"),
        "LINE_ITEM": props("title:name"),
    }


def _messages(object_type: str, ids: list[int]) -> list[dict[str, Any]]:
    def properties(i: int) -> dict[str, str]:
        if object_type == "CONTACT":
            return {"email": f"buyer{i}@example.com", "first": f"Buyer {i}"}
        if object_type == "DEAL":
            return {"title": f"Imported order {i}", "total": "42.00", "status": "shipped"}
        return {"title": f"Imported product {i}", "price": "9.99"}

    return [{"externalObjectId": f"{object_type}-{i}", "properties": properties(i)} for i in ids]


def test_continue_importing_shows_progress_until_complete(
    watched: Watched,
    bridge: LiveServer,
    db: Database,
    portal: Portal,
    installed_app: InstalledApp,
    receiver: WebhookReceiver,
) -> None:
    api = httpx.Client(base_url=bridge.url, timeout=10)
    token = bearer(installed_app.access_token)
    query = f"appId={installed_app.app_id}&hapikey={installed_app.developer_api_key}"
    settings = {"enabled": True, "webhookUri": receiver.url, "mappings": _mappings()}
    assert api.put(f"{V2}/settings?{query}", json=settings).status_code == 200
    store = {"id": STORE, "label": "Web shop", "adminUri": "https://web-shop.example/admin"}
    assert api.put(f"{V2}/stores", json=store, headers=token).status_code == 200
    make_user(db, portal.id, "owner@example.com")

    page = watched.page
    sign_in_browser(watched, bridge.url, "owner@example.com", PASSWORD)
    page.get_by_role("link", name="Web shop").click()
    expect(page.locator("#import-status")).to_have_attribute("data-state", "NONE")
    page.get_by_role("button", name="Continue importing").click()

    status = page.locator("#import-status")
    expect(status).to_have_attribute("data-state", "RECEIVING")
    assert len(receiver.calls) == 1 and receiver.calls[0]["storeId"] == STORE
    started_at = receiver.calls[0]["importStartedAt"]
    received = page.locator('[data-phase="received"]')
    applied = page.locator('[data-phase="applied"]')
    expect(received).to_contain_text("0 of 7")
    expect(page.get_by_role("button", name="Cancel import")).to_be_visible()
    expect(page.get_by_role("button", name="Continue importing")).to_be_disabled()

    def send(object_type: str, ids: list[int], page_number: int) -> None:
        body = {
            "storeId": STORE,
            "importStartedAt": started_at,
            "objectType": object_type,
            "pageNumber": page_number,
            "messages": _messages(object_type, ids),
        }
        response = api.post(f"{V2}/imports/page", json=body, headers=token)
        assert response.status_code == 204, response.text

    def end(object_type: str, pages: int, items: int) -> None:
        body = {
            "storeId": STORE,
            "importStartedAt": started_at,
            "objectType": object_type,
            "pageCount": pages,
            "itemCount": items,
        }
        response = api.post(f"{V2}/imports/end", json=body, headers=token)
        assert response.status_code == 204, response.text

    send("PRODUCT", [1, 2], 0)
    expect(received).to_contain_text("2 of 7")  # the page polled it
    expect(received.locator("progress")).to_have_attribute("data-percent", "28")
    expect(page.locator("#import-summary")).to_have_attribute("aria-live", "polite")
    watched.screenshot("import-receiving")
    send("PRODUCT", [3], 1)
    send("CONTACT", [1, 2], 0)
    send("DEAL", [1, 2], 0)
    expect(received).to_contain_text("7 of 7")
    end("PRODUCT", 2, 3)
    end("CONTACT", 1, 2)
    end("LINE_ITEM", 0, 0)
    end("DEAL", 1, 2)

    expect(status).to_have_attribute("data-state", "COMPLETE", timeout=30_000)
    expect(status).to_contain_text("Every announced record was imported.")
    # Both phases full: receiving never dropped back when applying began
    expect(received.locator("progress.done")).to_have_attribute("data-percent", "100")
    expect(applied.locator("progress.done")).to_have_attribute("data-percent", "100")
    expect(page.get_by_role("button", name="Cancel import")).to_have_count(0)
    expect(page.get_by_role("button", name="Continue importing")).to_be_enabled()
    watched.screenshot("import-complete")
    # polling stopped once complete: the fragment no longer asks for more
    assert page.locator("#import-status[hx-trigger]").count() == 0
    # The counts refreshed with the panel, without a reload
    expect(page.locator('[data-type="DEAL"]')).to_have_text("2")
    expect(page.locator('[data-type="PRODUCT"]')).to_have_text("3")
    api.close()
