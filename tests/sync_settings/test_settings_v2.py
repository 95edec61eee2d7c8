"""v2 PUT/GET/DELETE /extensions/ecomm/v2/settings: app-level (developer key + appId) and
portal-level (portal key or private-app token) settings, full replace, symmetric GET."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.support.factories import InstalledApp, Portal, make_private_app_token
from tests.support.wire import assert_bad_field, assert_hubspot_error, bearer

URL = "/extensions/ecomm/v2/settings"


def settings_body() -> dict[str, Any]:
    return {
        "enabled": True,
        "webhookUri": "https://shop.example/import",
        "mappings": {
            "CONTACT": {
                "properties": [
                    {
                        "externalPropertyName": "first_name",
                        "hubspotPropertyName": "firstname",
                        "dataType": "STRING",
                    },
                    {"externalPropertyName": "mail", "hubspotPropertyName": "email"},
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
        },
    }


def test_portal_key_put_then_get_is_symmetric(client: TestClient, portal: Portal) -> None:
    key = f"hapikey={portal.api_key}"
    put = client.put(f"{URL}?{key}", json=settings_body())
    assert put.status_code == 200
    assert put.json() == settings_body()
    got = client.get(f"{URL}?{key}")
    assert got.status_code == 200
    assert got.json() == settings_body()


def test_developer_key_with_app_id_addresses_the_app_settings(
    client: TestClient, portal: Portal, installed_app: InstalledApp
) -> None:
    app_key = f"appId={installed_app.app_id}&hapikey={installed_app.developer_api_key}"
    body = settings_body() | {"enabled": False, "webhookUri": None}
    assert client.put(f"{URL}?&{app_key}", json=body).status_code == 200
    assert client.get(f"{URL}?&{app_key}").json() == body
    # The portal's own settings are a different row.
    portal_get = client.get(f"{URL}?hapikey={portal.api_key}")
    assert portal_get.status_code == 404
    assert_hubspot_error(portal_get.json(), "OBJECT_NOT_FOUND")


def test_private_app_token_addresses_the_portal_settings(
    client: TestClient, db: Database, portal: Portal
) -> None:
    token = make_private_app_token(db, portal.id)
    authorization = bearer(token)
    assert client.put(URL, json=settings_body(), headers=authorization).status_code == 200
    assert client.get(f"{URL}?hapikey={portal.api_key}").json() == settings_body()


def test_put_is_a_full_replace(client: TestClient, portal: Portal) -> None:
    key = f"hapikey={portal.api_key}"
    client.put(f"{URL}?{key}", json=settings_body())
    smaller = {"enabled": True, "mappings": {"CONTACT": {"properties": []}}}
    put = client.put(f"{URL}?{key}", json=smaller)
    expected = {
        "enabled": True,
        "webhookUri": None,
        "mappings": {t: {"properties": []} for t in ("CONTACT", "DEAL", "PRODUCT", "LINE_ITEM")},
    }
    assert put.json() == expected
    assert client.get(f"{URL}?{key}").json() == expected


def test_unknown_hubspot_properties_and_extra_fields_are_accepted(
    client: TestClient, portal: Portal
) -> None:
    body = settings_body()
    body["importOnInstall"] = True
    body["mappings"]["DEAL"]["properties"].append(
        {
            "externalPropertyName": "cart",
            "hubspotPropertyName": "ip__ecomm_bride__abandoned_cart_url",
        }
    )
    put = client.put(f"{URL}?hapikey={portal.api_key}", json=body)
    assert put.status_code == 200
    assert "importOnInstall" not in put.json()
    assert put.json()["mappings"]["DEAL"]["properties"] == [
        {
            "externalPropertyName": "cart",
            "hubspotPropertyName": "ip__ecomm_bride__abandoned_cart_url",
        }
    ]


def test_show_provided_mappings_adds_the_provided_properties(
    client: TestClient, portal: Portal
) -> None:
    key = f"hapikey={portal.api_key}"
    put = client.put(f"{URL}?showProvidedMappings=true&{key}", json=settings_body())
    got = client.get(f"{URL}?showProvidedMappings=true&{key}")
    assert put.json() == got.json()
    for object_type, mapping in got.json()["mappings"].items():
        names = [p["hubspotPropertyName"] for p in mapping["properties"]]
        assert names[-3:] == [
            "ip__ecomm_bridge__ecomm_synced",
            "ip__ecomm_bridge__source_app_id",
            "ip__ecomm_bridge__source_store_id",
        ], object_type
    # Not stored: without the flag they are absent.
    assert client.get(f"{URL}?{key}").json() == settings_body()


def test_delete_removes_the_settings(client: TestClient, portal: Portal) -> None:
    key = f"hapikey={portal.api_key}"
    client.put(f"{URL}?{key}", json=settings_body())
    deleted = client.delete(f"{URL}?{key}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert client.get(f"{URL}?{key}").status_code == 404
    assert client.delete(f"{URL}?{key}").status_code == 204


def test_settings_of_another_portal_are_invisible(
    client: TestClient, portal: Portal, other_portal: Portal
) -> None:
    client.put(f"{URL}?hapikey={portal.api_key}", json=settings_body())
    assert client.get(f"{URL}?hapikey={other_portal.api_key}").status_code == 404


def test_get_with_none_stored_is_404(client: TestClient, portal: Portal) -> None:
    response = client.get(f"{URL}?hapikey={portal.api_key}")
    assert response.status_code == 404
    assert_hubspot_error(response.json(), "OBJECT_NOT_FOUND")


# ---------------------------------------------------------------------------------------------
# Credentials


def test_no_credential_is_401(client: TestClient) -> None:
    response = client.get(URL)
    assert response.status_code == 401
    assert_hubspot_error(response.json(), "INVALID_AUTHENTICATION")


def test_app_access_token_is_403_naming_the_needed_kinds(
    client: TestClient, installed_app: InstalledApp
) -> None:
    response = client.put(
        URL,
        json=settings_body(),
        headers=bearer(installed_app.access_token),
    )
    assert response.status_code == 403
    assert "developer API key" in response.json()["message"]


def test_developer_key_without_app_id_is_400(
    client: TestClient, installed_app: InstalledApp
) -> None:
    response = client.get(f"{URL}?hapikey={installed_app.developer_api_key}")
    assert response.status_code == 400
    assert "appId" in response.json()["message"]


def test_developer_key_of_another_developer_is_403(
    client: TestClient, db: Database, portal: Portal, installed_app: InstalledApp
) -> None:
    from tests.support.factories import make_installed_app

    other = make_installed_app(db, portal.id, "Other app")
    response = client.get(f"{URL}?appId={installed_app.app_id}&hapikey={other.developer_api_key}")
    assert response.status_code == 403
    assert_hubspot_error(response.json(), "INVALID_AUTHENTICATION")


# ---------------------------------------------------------------------------------------------
# Validation: each failure a 400 naming the field


def _mapping(**fields: Any) -> dict[str, Any]:
    return {"externalPropertyName": "x", "hubspotPropertyName": "y"} | fields


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "body"),
        ({"mappings": {}}, "enabled"),
        ({"enabled": "yes", "mappings": {}}, "enabled"),
        ({"enabled": True}, "mappings"),
        ({"enabled": True, "mappings": []}, "mappings"),
        ({"enabled": True, "mappings": {"COMPANY": {"properties": []}}}, "mappings.COMPANY"),
        ({"enabled": True, "webhookUri": 5, "mappings": {}}, "webhookUri"),
        (
            {"enabled": True, "mappings": {"DEAL": {"properties": {}}}},
            "mappings.DEAL.properties",
        ),
        (
            {"enabled": True, "mappings": {"DEAL": {"properties": ["x"]}}},
            "mappings.DEAL.properties[0]",
        ),
        (
            {
                "enabled": True,
                "mappings": {"PRODUCT": {"properties": [_mapping(), _mapping(dataType="TEXT")]}},
            },
            "mappings.PRODUCT.properties[1].dataType",
        ),
        (
            {"enabled": True, "mappings": {"CONTACT": {"properties": [_mapping(dataType=3)]}}},
            "mappings.CONTACT.properties[0].dataType",
        ),
        (
            {
                "enabled": True,
                "mappings": {"DEAL": {"properties": [_mapping(dataType="AVATAR_IMAGE")]}},
            },
            "mappings.DEAL.properties[0].dataType",
        ),
        (
            {
                "enabled": True,
                "mappings": {
                    "PRODUCT": {
                        "properties": [
                            _mapping(dataType="AVATAR_IMAGE"),
                            _mapping(dataType="AVATAR_IMAGE"),
                        ]
                    }
                },
            },
            "mappings.PRODUCT.properties[1].dataType",
        ),
        (
            {
                "enabled": True,
                "mappings": {"CONTACT": {"properties": [{"hubspotPropertyName": "email"}]}},
            },
            "mappings.CONTACT.properties[0].externalPropertyName",
        ),
        (
            {
                "enabled": True,
                "mappings": {"CONTACT": {"properties": [_mapping(hubspotPropertyName="")]}},
            },
            "mappings.CONTACT.properties[0].hubspotPropertyName",
        ),
    ],
)
def test_invalid_settings_are_400_naming_the_field(
    client: TestClient, portal: Portal, body: Any, field: str
) -> None:
    response = client.put(f"{URL}?hapikey={portal.api_key}", json=body)
    assert_bad_field(response, field)


def test_not_json_is_400(client: TestClient, portal: Portal) -> None:
    response = client.put(
        f"{URL}?hapikey={portal.api_key}",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")


def test_empty_body_is_400(client: TestClient, portal: Portal) -> None:
    response = client.put(f"{URL}?hapikey={portal.api_key}")
    assert response.status_code == 400
    assert response.json()["message"].startswith("body:")


def test_bad_show_provided_flag_is_400(client: TestClient, portal: Portal) -> None:
    response = client.get(f"{URL}?showProvidedMappings=maybe&hapikey={portal.api_key}")
    assert response.status_code == 400
    assert "showProvidedMappings" in response.json()["message"]


def test_nul_characters_are_400(client: TestClient, portal: Portal) -> None:
    body = settings_body()
    body["mappings"]["DEAL"]["properties"] = [
        {"externalPropertyName": "a\u0000b", "hubspotPropertyName": "dealname"}
    ]
    response = client.put(f"{URL}?hapikey={portal.api_key}", json=body)
    assert response.status_code == 400
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")


def test_portal_settings_install_the_crm_schema(
    client: TestClient, db: Database, portal: Portal
) -> None:
    from ecombridge.crm_schema.pipelines import ecommerce_stages

    client.put(f"{URL}?hapikey={portal.api_key}", json=settings_body())
    with db.read() as conn:
        assert "processed" in ecommerce_stages(conn, portal.id)[1]
