"""The hubspot3 package's ``send_sync_messages``, unmodified, against a real server: chunks of
200, Bearer tokens (sent with a bare trailing ``?``) and portal keys; its error on a 400."""

from __future__ import annotations

import pytest
from hubspot3.ecommerce_bridge import EcommerceBridgeClient
from hubspot3.error import HubspotBadRequest

from ecombridge.db.engine import Database
from tests.support.factories import InstalledApp, Portal
from tests.support.live import LiveServer
from tests.sync.test_intake import stored


def _messages(count: int) -> list[dict[str, object]]:
    return [
        {
            "action": "UPSERT",
            "changedAt": 1600000000000 + i,
            "externalObjectId": i,
            "properties": {"name": f"product {i}", "price": i * 1.5},
        }
        for i in range(count)
    ]


def test_hubspot3_chunks_large_sends_with_an_access_token(
    live_server: LiveServer, db: Database, installed_app: InstalledApp
) -> None:
    client = EcommerceBridgeClient(
        access_token=installed_app.access_token, api_base=live_server.url
    )
    client.send_sync_messages("PRODUCT", _messages(450))
    batches = stored(db)
    assert [b["message_count"] for b in batches] == [200, 200, 50]
    assert {(b["source_app_id"], b["store_id"]) for b in batches} == {
        (installed_app.app_id, "default")
    }
    assert batches[2]["messages"][-1].external_id == "449"


def test_hubspot3_with_a_portal_key(live_server: LiveServer, db: Database, portal: Portal) -> None:
    client = EcommerceBridgeClient(api_key=portal.api_key, api_base=live_server.url)
    client.send_sync_messages("CONTACT", _messages(3))
    assert [(b["source_app_id"], b["message_count"]) for b in stored(db)] == [(0, 3)]


def test_hubspot3_reports_a_malformed_message(
    live_server: LiveServer, db: Database, portal: Portal
) -> None:
    client = EcommerceBridgeClient(api_key=portal.api_key, api_base=live_server.url)
    with pytest.raises(HubspotBadRequest) as raised:
        client.send_sync_messages("CONTACT", [{"action": "UPSERT", "externalObjectId": "é"}])
    assert "messages[0].externalObjectId: must be ASCII" in str(raised.value)
    assert stored(db) == []
