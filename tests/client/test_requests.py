"""Each method sends exactly the request the wire reference describes, with the right credential."""

from __future__ import annotations

import json

import httpx
import pytest

from ecombridge.client import (
    ConfigurationError,
    PropertyMapping,
    Settings,
    Store,
    SyncMessage,
    V1Settings,
    V1SyncMessage,
)
from tests.client.mock_bridge import MockBridge

SETTINGS_WIRE = {
    "enabled": True,
    "webhookUri": "https://shop.test/import",
    "mappings": {
        "CONTACT": {
            "properties": [
                {
                    "externalPropertyName": "mail",
                    "hubspotPropertyName": "email",
                    "dataType": "STRING",
                }
            ]
        },
        "PRODUCT": {"properties": []},
        "DEAL": {"properties": []},
        "LINE_ITEM": {"properties": []},
    },
}


def test_portal_settings_use_the_portal_key() -> None:
    bridge = MockBridge().answer(200, SETTINGS_WIRE)
    settings = Settings(
        webhook_uri="https://shop.test/import",
        mappings={"CONTACT": [PropertyMapping("mail", "email", "STRING")]},
    )
    with bridge.client() as client:
        stored = client.put_settings(settings)
    request = bridge.requests[0]
    assert request.method == "PUT"
    assert request.url.path == "/extensions/ecomm/v2/settings"
    assert dict(request.url.params) == {"hapikey": "portal-key"}
    assert json.loads(request.content) == SETTINGS_WIRE
    assert stored == settings


def test_app_settings_use_the_developer_key_and_app_id() -> None:
    bridge = MockBridge().answer(200, SETTINGS_WIRE).answer(204)
    with bridge.client(api_key=None, developer_api_key="dev-key", app_id=7) as client:
        client.get_settings(show_provided_mappings=True)
        client.delete_settings()
    get, delete = bridge.requests
    assert dict(get.url.params) == {
        "appId": "7",
        "showProvidedMappings": "true",
        "hapikey": "dev-key",
    }
    assert (delete.method, dict(delete.url.params)) == (
        "DELETE",
        {"appId": "7", "hapikey": "dev-key"},
    )


def test_app_settings_without_a_developer_key_is_a_configuration_error() -> None:
    with MockBridge().client() as client, pytest.raises(ConfigurationError, match="developer"):
        client.get_settings(app_id=3)


def test_tokens_are_sent_as_bearer_and_preferred_for_data_calls() -> None:
    bridge = MockBridge().answer(200, {"results": []})
    with bridge.client(access_token="tok") as client:
        client.list_stores()
    request = bridge.requests[0]
    assert request.headers["authorization"] == "Bearer tok"
    assert "hapikey" not in request.url.params


def test_private_app_token_is_a_bearer_token() -> None:
    bridge = MockBridge().answer(200, {"results": []})
    with bridge.client(api_key=None, private_app_token="pat") as client:
        client.list_stores()
    assert bridge.requests[0].headers["authorization"] == "Bearer pat"


def test_no_credentials_is_a_configuration_error() -> None:
    with MockBridge().client(api_key=None) as client, pytest.raises(ConfigurationError):
        client.list_stores()


def test_store_calls() -> None:
    store = {"id": "shop-1", "label": "Shop", "adminUri": "https://shop.test"}
    bridge = (
        MockBridge()
        .answer(200, store)
        .answer(200, store)
        .answer(200, {"results": [store]})
        .answer(204)
        .answer(200, store)
    )
    with bridge.client() as client:
        assert client.put_store(Store("shop-1", "Shop", "https://shop.test")).id == "shop-1"
        assert client.get_store("shop-1").label == "Shop"
        assert client.list_stores() == [Store("shop-1", "Shop", "https://shop.test")]
        client.delete_store("shop-1")
        client.replace_default_store(Store("shop-1", "Shop"))
    assert [(r.method, r.url.path) for r in bridge.requests] == [
        ("PUT", "/extensions/ecomm/v2/stores"),
        ("GET", "/extensions/ecomm/v2/stores/shop-1"),
        ("GET", "/extensions/ecomm/v2/stores"),
        ("DELETE", "/extensions/ecomm/v2/stores/shop-1"),
        ("POST", "/extensions/ecomm/v2/stores/default/replace"),
    ]
    assert json.loads(bridge.requests[4].content) == {"id": "shop-1", "label": "Shop"}


def test_sync_messages_are_chunked_to_200_per_request() -> None:
    bridge = MockBridge()
    batches: list[int] = []
    messages = (
        {"externalObjectId": i, "properties": {"email": f"c{i}@x.test"}} for i in range(450)
    )
    with bridge.client() as client:
        sent = client.send_sync_messages(
            "CONTACT", messages, store_id="shop", on_batch=batches.append
        )
    assert sent == 450
    assert batches == [200, 200, 50]
    bodies = bridge.bodies()
    assert [len(b["messages"]) for b in bodies] == [200, 200, 50]
    assert bodies[0]["storeId"] == "shop" and bodies[0]["objectType"] == "CONTACT"
    assert bodies[2]["messages"][-1] == {
        "action": "UPSERT",
        "externalObjectId": "449",
        "properties": {"email": "c449@x.test"},
    }
    assert {r.url.path for r in bridge.requests} == {"/extensions/ecomm/v2/sync/messages"}


def test_sync_message_wire_shape() -> None:
    message = SyncMessage(
        "order-1",
        {"stage": "processed"},
        {"CONTACT": ["c-1"]},
        action="UPSERT",
        changed_at=1700000000000,
    )
    assert message.to_wire() == {
        "action": "UPSERT",
        "externalObjectId": "order-1",
        "properties": {"stage": "processed"},
        "changedAt": 1700000000000,
        "associations": {"CONTACT": ["c-1"]},
    }
    assert SyncMessage.from_wire({"externalObjectId": 5, "changedAt": "1.5e3"}).changed_at == 1500


def test_v1_sync_messages_are_a_bare_array_per_object_type() -> None:
    bridge = MockBridge()
    with bridge.client() as client:
        client.v1_send_sync_messages(
            "CONTACT", [V1SyncMessage("c-1", {"email": "a@b.test"}, change_occurred_timestamp=5)]
        )
    assert bridge.requests[0].url.path == "/extensions/ecomm/v1/sync-messages/CONTACT"
    assert bridge.bodies() == [
        [
            {
                "integratorObjectId": "c-1",
                "action": "UPSERT",
                "changeOccurredTimestamp": 5,
                "propertyNameToValues": {"email": "a@b.test"},
            }
        ]
    ]


def test_sync_status_encodes_path_segments() -> None:
    status = {
        "storeId": "s",
        "objectType": "CONTACT",
        "externalObjectId": "a b@x.test",
        "hubspotId": 51,
        "lastProcessedAt": 10,
        "errors": [
            {
                "portalId": 1,
                "storeId": "s",
                "objectType": "CONTACT",
                "externalObjectId": "a b@x.test",
                "changedAt": 9,
                "erroredAt": 10,
                "type": "INVALID_EMAIL_ADDRESS",
                "details": "x",
                "status": "OPEN",
            }
        ],
    }
    bridge = MockBridge().answer(200, status)
    with bridge.client() as client:
        result = client.sync_status("CONTACT", "a b@x.test", store_id="s")
    assert bridge.requests[0].url.raw_path.startswith(
        b"/extensions/ecomm/v2/sync/status/s/CONTACT/a%20b@x.test"
    )
    assert result.hubspot_id == 51
    assert result.failed  # erroredAt == lastProcessedAt: the latest attempt failed


def test_v1_settings_wire_shape_round_trips() -> None:
    wire = {
        "enabled": True,
        "importOnInstall": False,
        "contactSyncSettings": {
            "properties": [
                {"propertyName": "mail", "dataType": "STRING", "targetHubspotProperty": "email"}
            ]
        },
        "productSyncSettings": {
            "properties": [
                {
                    "propertyName": "img",
                    "dataType": "AVATAR_IMAGE",
                    "targetHubSpotProperty": "ip__ecomm_bridge__image_url",
                }
            ]
        },
        "dealSyncSettings": {"properties": []},
        "lineItemSyncSettings": {"properties": []},
    }
    settings = V1Settings.from_wire(wire)
    assert settings.mappings["PRODUCT"] == [
        PropertyMapping("img", "ip__ecomm_bridge__image_url", "AVATAR_IMAGE")
    ]
    assert settings.to_wire()["productSyncSettings"]["properties"][0]["targetHubspotProperty"] == (
        "ip__ecomm_bridge__image_url"
    )


def test_v1_installs_and_import_settings() -> None:
    bridge = (
        MockBridge()
        .answer(204)
        .answer(200, {"installCompleted": True, "ecommSettingsEnabled": False})
        .answer(200, {"importTriggerUri": "https://shop.test/hook"})
    )
    with bridge.client(developer_api_key="dev", app_id=9) as client:
        client.v1_install()
        status = client.v1_install_status()
        uri = client.v1_put_import_settings("https://shop.test/hook")
    assert (status.install_completed, status.ecomm_settings_enabled) == (True, False)
    assert uri == "https://shop.test/hook"
    install, _, import_settings = bridge.requests
    assert (install.method, install.url.path) == ("POST", "/extensions/ecomm/v1/installs")
    assert dict(import_settings.url.params) == {"appId": "9", "hapikey": "dev"}


def test_import_calls_need_a_token_and_send_the_documented_bodies() -> None:
    bridge = MockBridge()
    with bridge.client(access_token="tok") as client:
        client.import_page("DEAL", [], store_id="s", import_started_at=5, page_number=0)
        client.import_end("DEAL", store_id="s", import_started_at=5, page_count=1, item_count=0)
    assert bridge.bodies() == [
        {
            "storeId": "s",
            "importStartedAt": 5,
            "objectType": "DEAL",
            "messages": [],
            "pageNumber": 0,
        },
        {
            "storeId": "s",
            "importStartedAt": 5,
            "objectType": "DEAL",
            "pageCount": 1,
            "itemCount": 0,
        },
    ]
    with MockBridge().client() as keyed, pytest.raises(ConfigurationError, match="access token"):
        keyed.import_end("DEAL", store_id="s", import_started_at=5, page_count=0, item_count=0)


def test_user_agent_names_the_sdk() -> None:
    bridge = MockBridge(lambda r: httpx.Response(200, json={"results": []}))
    with bridge.client() as client:
        client.list_stores()
    assert bridge.requests[0].headers["user-agent"].startswith("ecombridge-python/")


def test_v1_message_without_timestamp_is_sent_with_the_current_time() -> None:
    import time

    before = int(time.time() * 1000)
    wire = V1SyncMessage("c-1", {"email": "a@b.test"}).to_wire()
    assert before <= wire["changeOccurredTimestamp"] <= int(time.time() * 1000)
