"""v2 /extensions/ecomm/v2/stores: define, list, get, delete and replace the default store."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ecombridge.crm_schema.pipelines import ecommerce_stages
from ecombridge.db.engine import Database
from tests.support.factories import (
    InstalledApp,
    Portal,
    make_installed_app,
    make_private_app_token,
)
from tests.support.wire import assert_bad_field, assert_hubspot_error, bearer

URL = "/extensions/ecomm/v2/stores"
STORE = {"id": "shop-1", "label": "Shop One", "adminUri": "https://shop.example/admin"}


def test_put_returns_exactly_the_store_and_get_returns_it(
    client: TestClient, portal: Portal
) -> None:
    put = client.put(f"{URL}?hapikey={portal.api_key}", json=STORE)
    assert put.status_code == 200
    assert put.json() == STORE
    got = client.get(f"{URL}/shop-1?hapikey={portal.api_key}")
    assert got.status_code == 200
    assert got.json() == STORE
    listed = client.get(f"{URL}?hapikey={portal.api_key}")
    assert listed.json() == {"results": [STORE]}


def test_admin_uri_is_optional_and_omitted_when_unset(client: TestClient, portal: Portal) -> None:
    body = {"id": "shop-2", "label": "Shop Two"}
    assert client.put(f"{URL}?hapikey={portal.api_key}", json=body).json() == body
    assert client.get(f"{URL}/shop-2?hapikey={portal.api_key}").json() == body


def test_put_replaces_the_definition(client: TestClient, portal: Portal) -> None:
    client.put(f"{URL}?hapikey={portal.api_key}", json=STORE)
    changed = {"id": "shop-1", "label": "Renamed"}
    assert client.put(f"{URL}?hapikey={portal.api_key}", json=changed).json() == changed
    assert client.get(f"{URL}?hapikey={portal.api_key}").json() == {"results": [changed]}


def test_first_store_installs_the_portal_schema(
    client: TestClient, db: Database, portal: Portal
) -> None:
    client.put(f"{URL}?hapikey={portal.api_key}", json=STORE)
    with db.read() as conn:
        assert "shipped" in ecommerce_stages(conn, portal.id)[1]


def test_numeric_store_id_is_taken_as_a_string(client: TestClient, portal: Portal) -> None:
    put = client.put(f"{URL}?hapikey={portal.api_key}", json={"id": 42, "label": "Numbered"})
    assert put.json() == {"id": "42", "label": "Numbered"}


def test_unknown_store_is_404(client: TestClient, portal: Portal) -> None:
    response = client.get(f"{URL}/nope?hapikey={portal.api_key}")
    assert response.status_code == 404
    assert_hubspot_error(response.json(), "OBJECT_NOT_FOUND")
    assert "nope" in response.json()["message"]
    assert client.delete(f"{URL}/nope?hapikey={portal.api_key}").status_code == 404


def test_default_store_is_404_until_installed_or_created(
    client: TestClient, portal: Portal
) -> None:
    assert client.get(f"{URL}/default?hapikey={portal.api_key}").status_code == 404
    assert client.get(f"{URL}?hapikey={portal.api_key}").json() == {"results": []}
    client.post(f"/extensions/ecomm/v1/installs?hapikey={portal.api_key}")
    default = {"id": "default", "label": "Custom", "adminUri": "string"}
    assert client.get(f"{URL}/default?hapikey={portal.api_key}").json() == default
    assert client.get(f"{URL}?hapikey={portal.api_key}").json() == {"results": [default]}


def test_default_store_of_an_app_carries_the_app_name(
    client: TestClient, db: Database, portal: Portal
) -> None:
    app = make_installed_app(db, portal.id, "Acme Commerce")
    client.post(f"/extensions/ecomm/v1/installs?hapikey={portal.api_key}")
    got = client.get(f"{URL}/default", headers=bearer(app.access_token))
    assert got.json() == {"id": "default", "label": "Acme Commerce", "adminUri": "string"}


def test_delete_hides_the_store_and_redefining_brings_it_back(
    client: TestClient, portal: Portal
) -> None:
    client.put(f"{URL}?hapikey={portal.api_key}", json=STORE)
    deleted = client.delete(f"{URL}/shop-1?hapikey={portal.api_key}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert client.get(f"{URL}/shop-1?hapikey={portal.api_key}").status_code == 404
    assert client.get(f"{URL}?hapikey={portal.api_key}").json() == {"results": []}
    assert client.put(f"{URL}?hapikey={portal.api_key}", json=STORE).status_code == 200
    assert client.get(f"{URL}/shop-1?hapikey={portal.api_key}").json() == STORE


def test_deleting_the_implicit_default_store(client: TestClient, portal: Portal) -> None:
    client.post(f"/extensions/ecomm/v1/installs?hapikey={portal.api_key}")
    assert client.delete(f"{URL}/default?hapikey={portal.api_key}").status_code == 204
    assert client.get(f"{URL}/default?hapikey={portal.api_key}").status_code == 404


@pytest.mark.parametrize("path", ["/default/replace", "/default/replace/", "/replace-default"])
def test_replace_default_gives_the_default_store_a_new_id(
    client: TestClient, portal: Portal, path: str
) -> None:
    client.post(f"/extensions/ecomm/v1/installs?hapikey={portal.api_key}")
    new = {"id": "main", "label": "Main shop", "adminUri": "https://main.example"}
    replaced = client.post(f"{URL}{path}?hapikey={portal.api_key}", json=new)
    assert replaced.status_code == 200
    assert replaced.json() == new
    assert client.get(f"{URL}/main?hapikey={portal.api_key}").json() == new
    assert client.get(f"{URL}?hapikey={portal.api_key}").json() == {"results": [new]}
    # Redefining it under its new id keeps it the default store.
    renamed = {"id": "main", "label": "Main shop 2"}
    assert client.put(f"{URL}?hapikey={portal.api_key}", json=renamed).json() == renamed
    assert client.get(f"{URL}?hapikey={portal.api_key}").json() == {"results": [renamed]}


def test_replace_default_with_an_existing_store_id_is_409(
    client: TestClient, portal: Portal
) -> None:
    client.put(f"{URL}?hapikey={portal.api_key}", json=STORE)
    response = client.post(f"{URL}/default/replace?hapikey={portal.api_key}", json=STORE)
    assert response.status_code == 409
    assert_hubspot_error(response.json(), "CONFLICT")


# ---------------------------------------------------------------------------------------------
# Credentials and isolation


def test_app_token_and_portal_key_see_separate_stores(
    client: TestClient, portal: Portal, installed_app: InstalledApp
) -> None:
    authorization = bearer(installed_app.access_token)
    app_store = {"id": "app-shop", "label": "App shop"}
    assert client.put(URL, json=app_store, headers=authorization).status_code == 200
    client.put(f"{URL}?hapikey={portal.api_key}", json=STORE)
    assert client.get(URL, headers=authorization).json() == {"results": [app_store]}
    assert client.get(f"{URL}?hapikey={portal.api_key}").json() == {"results": [STORE]}
    assert client.get(f"{URL}/shop-1", headers=authorization).status_code == 404


def test_another_apps_stores_are_invisible(
    client: TestClient, db: Database, portal: Portal, installed_app: InstalledApp
) -> None:
    other = make_installed_app(db, portal.id, "Other app")
    client.put(URL, json=STORE, headers=bearer(installed_app.access_token))
    other_bearer = bearer(other.access_token)
    assert client.get(URL, headers=other_bearer).json() == {"results": []}
    assert client.get(f"{URL}/shop-1", headers=other_bearer).status_code == 404


def test_another_portals_stores_are_invisible(
    client: TestClient, portal: Portal, other_portal: Portal
) -> None:
    client.put(f"{URL}?hapikey={portal.api_key}", json=STORE)
    assert client.get(f"{URL}?hapikey={other_portal.api_key}").json() == {"results": []}
    assert client.get(f"{URL}/shop-1?hapikey={other_portal.api_key}").status_code == 404


def test_private_app_token_shares_the_portal_keys_stores(
    client: TestClient, db: Database, portal: Portal
) -> None:
    token = make_private_app_token(db, portal.id)
    client.put(f"{URL}?hapikey={portal.api_key}", json=STORE)
    got = client.get(f"{URL}/shop-1", headers=bearer(token))
    assert got.json() == STORE


def test_developer_key_is_403(client: TestClient, installed_app: InstalledApp) -> None:
    response = client.get(f"{URL}?hapikey={installed_app.developer_api_key}")
    assert response.status_code == 403
    assert_hubspot_error(response.json(), "INVALID_AUTHENTICATION")
    assert "portal API key" in response.json()["message"]


def test_no_credential_is_401(client: TestClient) -> None:
    response = client.put(URL, json=STORE)
    assert response.status_code == 401
    assert_hubspot_error(response.json(), "INVALID_AUTHENTICATION")


# ---------------------------------------------------------------------------------------------
# Validation


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (["shop"], "body"),
        ({"label": "No id"}, "id"),
        ({"id": "", "label": "Empty"}, "id"),
        ({"id": "x" * 101, "label": "Long"}, "id"),
        ({"id": "with space", "label": "Space"}, "id"),
        ({"id": "a/b", "label": "Slash"}, "id"),
        ({"id": "caf\u00e9", "label": "Accent"}, "id"),
        ({"id": True, "label": "Bool"}, "id"),
        ({"id": "shop"}, "label"),
        ({"id": "shop", "label": " "}, "label"),
        ({"id": "shop", "label": "Shop", "adminUri": 7}, "adminUri"),
    ],
)
def test_invalid_store_is_400_naming_the_field(
    client: TestClient, portal: Portal, body: Any, field: str
) -> None:
    response = client.put(f"{URL}?hapikey={portal.api_key}", json=body)
    assert_bad_field(response, field)


def test_not_json_is_400(client: TestClient, portal: Portal) -> None:
    response = client.put(
        f"{URL}?hapikey={portal.api_key}",
        content=b"id=shop",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")


def test_trailing_slash_and_leading_ampersand(client: TestClient, portal: Portal) -> None:
    assert client.put(f"{URL}/?&hapikey={portal.api_key}", json=STORE).status_code == 200
    assert client.get(f"{URL}/shop-1/?&hapikey={portal.api_key}").json() == STORE


def test_nul_characters_are_400_not_a_database_error(client: TestClient, portal: Portal) -> None:
    response = client.put(
        f"{URL}?hapikey={portal.api_key}", json={"id": "shop", "label": "Bad\u0000label"}
    )
    assert response.status_code == 400
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    for path in (f"{URL}/a%00b", f"{URL}/{'x' * 300}"):
        assert client.get(f"{path}?hapikey={portal.api_key}").status_code == 404
        assert client.delete(f"{path}?hapikey={portal.api_key}").status_code == 404


def test_deeply_nested_body_is_400(client: TestClient, portal: Portal) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    response = client.put(
        f"{URL}?hapikey={portal.api_key}",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400


def test_deleting_the_replaced_default_and_defining_its_id_again(
    client: TestClient, portal: Portal
) -> None:
    key = f"hapikey={portal.api_key}"
    new = {"id": "main", "label": "Main shop"}
    assert client.post(f"{URL}/default/replace?{key}", json=new).status_code == 200
    assert client.delete(f"{URL}/main?{key}").status_code == 204
    assert client.get(f"{URL}/main?{key}").status_code == 404
    assert client.get(f"{URL}/default?{key}").status_code == 404
    assert client.get(f"{URL}?{key}").json() == {"results": []}
    # Defining "main" again finds the default store (and its data) again.
    assert client.put(f"{URL}?{key}", json=new).json() == new
    assert client.get(f"{URL}/default?{key}").json() == new
