"""The hubspot3 package's EcommerceBridgeClient, unmodified, against a real server: settings
with a developer key + appId and with a portal key, and stores; then what the bridge returns."""

from __future__ import annotations

import httpx
import pytest
from hubspot3.ecommerce_bridge import EcommerceBridgeClient
from hubspot3.error import HubspotBadRequest

from tests.support.factories import InstalledApp, Portal
from tests.support.live import LiveServer
from tests.support.wire import bearer

MAPPINGS = {
    "CONTACT": {
        "properties": [
            {
                "externalPropertyName": "customer_email",
                "hubspotPropertyName": "email",
                "dataType": "STRING",
            }
        ]
    },
    "DEAL": {"properties": []},
    "PRODUCT": {
        "properties": [
            {
                "externalPropertyName": "image",
                "hubspotPropertyName": "ip__ecomm_bridge__image_url",
                "dataType": "AVATAR_IMAGE",
            }
        ]
    },
    "LINE_ITEM": {"properties": []},
}


def test_app_settings_with_a_developer_key(
    live_server: LiveServer, installed_app: InstalledApp
) -> None:
    client = EcommerceBridgeClient(
        api_key=installed_app.developer_api_key, api_base=live_server.url
    )
    stored = client.create_or_update_settings(
        MAPPINGS, webhook_uri="https://shop.example/import", app_id=installed_app.app_id
    )
    expected = {"enabled": True, "webhookUri": "https://shop.example/import", "mappings": MAPPINGS}
    assert stored == expected
    got = httpx.get(
        f"{live_server.url}/extensions/ecomm/v2/settings",
        params={"appId": installed_app.app_id, "hapikey": installed_app.developer_api_key},
    )
    assert got.status_code == 200
    assert got.json() == expected


def test_portal_settings_with_a_portal_key(live_server: LiveServer, portal: Portal) -> None:
    client = EcommerceBridgeClient(api_key=portal.api_key, api_base=live_server.url)
    stored = client.create_or_update_settings(MAPPINGS, enabled=False)
    assert stored == {"enabled": False, "webhookUri": None, "mappings": MAPPINGS}
    provided = client.create_or_update_settings(MAPPINGS, show_provided_mappings=True)
    assert len(provided["mappings"]["DEAL"]["properties"]) == 3
    got = httpx.get(
        f"{live_server.url}/extensions/ecomm/v2/settings", params={"hapikey": portal.api_key}
    )
    assert got.json() == {"enabled": True, "webhookUri": None, "mappings": MAPPINGS}


def test_invalid_settings_raise_bad_request(live_server: LiveServer, portal: Portal) -> None:
    client = EcommerceBridgeClient(api_key=portal.api_key, api_base=live_server.url)
    bad = dict(MAPPINGS, DEAL={"properties": [{"externalPropertyName": "x"}]})
    with pytest.raises(HubspotBadRequest):
        client.create_or_update_settings(bad)


def test_stores_with_a_portal_key(live_server: LiveServer, portal: Portal) -> None:
    client = EcommerceBridgeClient(api_key=portal.api_key, api_base=live_server.url)
    assert client.create_or_update_store("shop-1", "Shop One", "https://shop.example/admin") == {
        "id": "shop-1",
        "label": "Shop One",
        "adminUri": "https://shop.example/admin",
    }
    assert client.create_or_update_store("shop-2", "Shop Two") == {
        "id": "shop-2",
        "label": "Shop Two",
    }
    listed = httpx.get(
        f"{live_server.url}/extensions/ecomm/v2/stores", params={"hapikey": portal.api_key}
    )
    assert listed.json() == {
        "results": [
            {"id": "shop-1", "label": "Shop One", "adminUri": "https://shop.example/admin"},
            {"id": "shop-2", "label": "Shop Two"},
        ]
    }


def test_stores_with_an_app_token(
    live_server: LiveServer, portal: Portal, installed_app: InstalledApp
) -> None:
    client = EcommerceBridgeClient(
        access_token=installed_app.access_token, api_base=live_server.url
    )
    assert client.create_or_update_store("app-shop", "App shop") == {
        "id": "app-shop",
        "label": "App shop",
    }
    authorization = bearer(installed_app.access_token)
    got = httpx.get(f"{live_server.url}/extensions/ecomm/v2/stores/app-shop", headers=authorization)
    assert got.json() == {"id": "app-shop", "label": "App shop"}
    # The portal's own integration does not see the app's store.
    hidden = httpx.get(
        f"{live_server.url}/extensions/ecomm/v2/stores/app-shop", params={"hapikey": portal.api_key}
    )
    assert hidden.status_code == 404
