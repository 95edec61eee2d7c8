"""hubspot3's check_sync_status_for_object puts the id into the path unencoded."""

from __future__ import annotations

import pytest
from hubspot3.ecommerce_bridge import EcommerceBridgeClient
from hubspot3.error import HubspotBadRequest

from ecombridge.db.engine import Database
from tests.support.factories import Portal
from tests.support.live import LiveServer
from tests.support.sync_rows import T0, insert_store, insert_synced


def test_status_of_ids_with_special_characters(
    live_server: LiveServer, db: Database, portal: Portal
) -> None:
    insert_store(db, portal.id, "web-shop")
    insert_synced(db, portal.id, "jane+shop@example.com", store_id="web-shop", hubspot_id=42)
    client = EcommerceBridgeClient(api_key=portal.api_key, api_base=live_server.url)

    status = client.check_sync_status_for_object(
        "CONTACT", "jane+shop@example.com", store_id="web-shop"
    )

    assert status == {
        "storeId": "web-shop",
        "objectType": "CONTACT",
        "externalObjectId": "jane+shop@example.com",
        "hubspotId": 42,
        "lastProcessedAt": T0,
        "errors": [],
    }


def test_unknown_object_raises_bad_request(live_server: LiveServer, portal: Portal) -> None:
    client = EcommerceBridgeClient(api_key=portal.api_key, api_base=live_server.url)

    with pytest.raises(HubspotBadRequest):
        client.check_sync_status_for_object("DEAL", "order_1.2-3")
