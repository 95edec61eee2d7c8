"""v1 GET/PUT/DELETE /extensions/ecomm/v1/settings (same stored settings as v2) and v1
GET/PUT /extensions/ecomm/v1/import-settings (developer key only)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.support.factories import InstalledApp, Portal, make_private_app_token
from tests.support.wire import assert_bad_field, assert_hubspot_error, bearer

URL = "/extensions/ecomm/v1/settings"
IMPORT_URL = "/extensions/ecomm/v1/import-settings"


def v1_body() -> dict[str, Any]:
    """hubspot-php's v1 integration test settings, which it expects echoed verbatim."""
    return {
        "enabled": False,
        "importOnInstall": False,
        "productSyncSettings": {
            "properties": [
                {"propertyName": "test_name", "dataType": "STRING", "targetHubspotProperty": "name"}
            ]
        },
        "dealSyncSettings": {"properties": []},
        "lineItemSyncSettings": {"properties": []},
        "contactSyncSettings": {"properties": []},
    }


def test_put_echoes_the_request_and_get_returns_it(client: TestClient, portal: Portal) -> None:
    put = client.put(f"{URL}/?hapikey={portal.api_key}", json=v1_body())
    assert put.status_code == 200
    assert put.json() == v1_body()
    assert client.get(f"{URL}?hapikey={portal.api_key}").json() == v1_body()


def test_import_on_install_may_be_omitted(client: TestClient, portal: Portal) -> None:
    body = v1_body()
    del body["importOnInstall"]
    body["enabled"] = True
    put = client.put(f"{URL}?hapikey={portal.api_key}", json=body)
    assert put.status_code == 200
    assert put.json() == body


def test_capital_s_target_spelling_is_accepted(client: TestClient, portal: Portal) -> None:
    body = v1_body()
    body["productSyncSettings"]["properties"] = [
        {
            "propertyName": "imageUrl",
            "dataType": "AVATAR_IMAGE",
            "targetHubSpotProperty": "ip__ecomm_bridge__image_url",
        }
    ]
    put = client.put(f"{URL}?hapikey={portal.api_key}", json=body)
    assert put.status_code == 200
    assert put.json()["productSyncSettings"]["properties"] == [
        {
            "propertyName": "imageUrl",
            "dataType": "AVATAR_IMAGE",
            "targetHubspotProperty": "ip__ecomm_bridge__image_url",
        }
    ]


def test_v1_and_v2_share_the_stored_settings(client: TestClient, portal: Portal) -> None:
    key = f"hapikey={portal.api_key}"
    client.put(f"{URL}?{key}", json=v1_body())
    v2 = client.get(f"/extensions/ecomm/v2/settings?{key}").json()
    assert v2["enabled"] is False
    assert v2["mappings"]["PRODUCT"]["properties"] == [
        {"externalPropertyName": "test_name", "hubspotPropertyName": "name", "dataType": "STRING"}
    ]
    # A v2 PUT keeps v1's importOnInstall; a v1 PUT keeps v2's webhookUri.
    v2["webhookUri"] = "https://shop.example/hook"
    client.put(f"/extensions/ecomm/v2/settings?{key}", json=v2)
    assert client.get(f"{URL}?{key}").json() == v1_body()
    client.put(f"{URL}?{key}", json=v1_body())
    assert client.get(f"/extensions/ecomm/v2/settings?{key}").json() == v2


def test_show_provided_properties(client: TestClient, portal: Portal) -> None:
    client.put(f"{URL}?hapikey={portal.api_key}", json=v1_body())
    got = client.get(f"{URL}?showProvidedProperties=true&hapikey={portal.api_key}").json()
    targets = [p["targetHubspotProperty"] for p in got["contactSyncSettings"]["properties"]]
    assert targets == [
        "ip__ecomm_bridge__ecomm_synced",
        "ip__ecomm_bridge__source_app_id",
        "ip__ecomm_bridge__source_store_id",
    ]


def test_delete_then_get_is_404(client: TestClient, portal: Portal) -> None:
    client.put(f"{URL}?hapikey={portal.api_key}", json=v1_body())
    deleted = client.delete(f"{URL}?hapikey={portal.api_key}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    missing = client.get(f"{URL}?hapikey={portal.api_key}")
    assert missing.status_code == 404
    assert_hubspot_error(missing.json(), "OBJECT_NOT_FOUND")


def test_developer_key_addresses_app_settings(
    client: TestClient, installed_app: InstalledApp
) -> None:
    query = f"appId={installed_app.app_id}&hapikey={installed_app.developer_api_key}"
    assert client.put(f"{URL}?&{query}", json=v1_body()).json() == v1_body()
    assert client.get(f"{URL}?&{query}").json() == v1_body()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("settings", "body"),
        ({"productSyncSettings": {"properties": []}}, "enabled"),
        ({"enabled": True, "dealSyncSettings": []}, "dealSyncSettings"),
        (
            {"enabled": True, "dealSyncSettings": {"properties": [{"propertyName": "x"}]}},
            "dealSyncSettings.properties[0].targetHubspotProperty",
        ),
        (
            {
                "enabled": True,
                "contactSyncSettings": {
                    "properties": [
                        {"propertyName": "x", "targetHubspotProperty": "y", "dataType": "BOOL"}
                    ]
                },
            },
            "contactSyncSettings.properties[0].dataType",
        ),
        (
            {
                "enabled": True,
                "dealSyncSettings": {
                    "properties": [
                        {
                            "propertyName": "x",
                            "targetHubspotProperty": "y",
                            "dataType": "AVATAR_IMAGE",
                        }
                    ]
                },
            },
            "dealSyncSettings.properties[0].dataType",
        ),
    ],
)
def test_invalid_v1_settings_are_400_naming_the_field(
    client: TestClient, portal: Portal, body: Any, field: str
) -> None:
    response = client.put(f"{URL}?hapikey={portal.api_key}", json=body)
    assert_bad_field(response, field)


def test_no_credential_is_401(client: TestClient) -> None:
    assert client.get(URL).status_code == 401


# ---------------------------------------------------------------------------------------------
# import-settings


def test_import_settings_round_trip(client: TestClient, installed_app: InstalledApp) -> None:
    query = f"appId={installed_app.app_id}&hapikey={installed_app.developer_api_key}"
    assert client.get(f"{IMPORT_URL}?{query}").json() == {"importTriggerUri": None}
    body = {"importTriggerUri": "https://shop.example/import-trigger"}
    put = client.put(f"{IMPORT_URL}?&{query}", json=body)
    assert put.status_code == 200
    assert put.json() == body
    assert client.get(f"{IMPORT_URL}?{query}").json() == body


def test_import_settings_need_a_developer_key(
    client: TestClient, portal: Portal, installed_app: InstalledApp
) -> None:
    response = client.get(f"{IMPORT_URL}?appId={installed_app.app_id}&hapikey={portal.api_key}")
    assert response.status_code == 403
    assert "developer API key" in response.json()["message"]
    assert client.get(IMPORT_URL).status_code == 401


def test_import_settings_need_app_id(client: TestClient, installed_app: InstalledApp) -> None:
    response = client.get(f"{IMPORT_URL}?hapikey={installed_app.developer_api_key}")
    assert response.status_code == 400
    assert response.json()["message"].startswith("appId:")


def test_import_settings_bad_body_is_400(client: TestClient, installed_app: InstalledApp) -> None:
    query = f"appId={installed_app.app_id}&hapikey={installed_app.developer_api_key}"
    for body in ([1], {"importTriggerUri": 42}):
        response = client.put(f"{IMPORT_URL}?{query}", json=body)
        assert response.status_code == 400
        assert_hubspot_error(response.json(), "VALIDATION_ERROR")


def test_v1_credential_kinds(
    client: TestClient, db: Database, portal: Portal, installed_app: InstalledApp
) -> None:
    token = make_private_app_token(db, portal.id)
    put = client.put(URL, json=v1_body(), headers=bearer(token))
    assert put.status_code == 200
    assert client.get(f"{URL}?hapikey={portal.api_key}").json() == v1_body()
    authorization = bearer(installed_app.access_token)
    for response in (
        client.get(URL, headers=authorization),
        client.put(URL, json=v1_body(), headers=authorization),
        client.delete(URL, headers=authorization),
        client.get(f"{IMPORT_URL}?appId={installed_app.app_id}", headers=authorization),
    ):
        assert response.status_code == 403
        assert_hubspot_error(response.json(), "INVALID_AUTHENTICATION")
    assert client.delete(URL).status_code == 401
