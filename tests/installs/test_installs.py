"""v1 /extensions/ecomm/v1/installs: install (idempotent), status, uninstall."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ecombridge.crm_schema.pipelines import ecommerce_stages
from ecombridge.db.engine import Database
from tests.support.factories import InstalledApp, Portal, make_private_app_token
from tests.support.wire import assert_hubspot_error, bearer

URL = "/extensions/ecomm/v1/installs"
JSON = {"content-type": "application/json"}


def _status(client: TestClient, portal: Portal) -> dict[str, bool]:
    response = client.get(f"{URL}/status?hapikey={portal.api_key}")
    assert response.status_code == 200
    body: dict[str, bool] = response.json()
    return body


def test_status_before_install(client: TestClient, portal: Portal) -> None:
    assert _status(client, portal) == {"installCompleted": False, "ecommSettingsEnabled": False}


def test_install_is_204_and_idempotent(client: TestClient, db: Database, portal: Portal) -> None:
    # edX sends a trailing slash, a JSON content type and an empty body, on every run.
    for _ in range(2):
        response = client.post(f"{URL}/?hapikey={portal.api_key}", headers=JSON, content=b"")
        assert response.status_code == 204
        assert response.content == b""
    assert _status(client, portal)["installCompleted"] is True
    with db.read() as conn:
        assert "checkout_abandoned" in ecommerce_stages(conn, portal.id)[1]
    stores = client.get(f"/extensions/ecomm/v2/stores?hapikey={portal.api_key}").json()
    assert stores == {"results": [{"id": "default", "label": "Custom", "adminUri": "string"}]}


def test_settings_enabled_reflects_the_portal_settings(client: TestClient, portal: Portal) -> None:
    settings = {"enabled": True, "mappings": {}}
    client.put(f"/extensions/ecomm/v2/settings?hapikey={portal.api_key}", json=settings)
    assert _status(client, portal)["ecommSettingsEnabled"] is True
    settings["enabled"] = False
    client.put(f"/extensions/ecomm/v2/settings?hapikey={portal.api_key}", json=settings)
    assert _status(client, portal)["ecommSettingsEnabled"] is False


def test_uninstall_keeps_the_data(client: TestClient, portal: Portal) -> None:
    client.post(f"{URL}?hapikey={portal.api_key}")
    client.put(
        f"/extensions/ecomm/v2/stores?hapikey={portal.api_key}", json={"id": "s", "label": "S"}
    )
    response = client.post(f"{URL}/uninstall?hapikey={portal.api_key}", headers=JSON)
    assert response.status_code == 204
    assert response.content == b""
    assert _status(client, portal)["installCompleted"] is False
    got = client.get(f"/extensions/ecomm/v2/stores/s?hapikey={portal.api_key}")
    assert got.status_code == 200


def test_each_portal_installs_separately(
    client: TestClient, portal: Portal, other_portal: Portal
) -> None:
    client.post(f"{URL}?hapikey={portal.api_key}")
    assert _status(client, other_portal)["installCompleted"] is False


def test_private_app_token_is_accepted(client: TestClient, db: Database, portal: Portal) -> None:
    token = make_private_app_token(db, portal.id)
    assert client.post(URL, headers=bearer(token)).status_code == 204
    assert _status(client, portal)["installCompleted"] is True


def test_app_token_and_developer_key_are_403(
    client: TestClient, installed_app: InstalledApp
) -> None:
    authorization = bearer(installed_app.access_token)
    for response in (
        client.post(URL, headers=authorization),
        client.get(f"{URL}/status?hapikey={installed_app.developer_api_key}"),
        client.post(f"{URL}/uninstall", headers=authorization),
    ):
        assert response.status_code == 403
        assert_hubspot_error(response.json(), "INVALID_AUTHENTICATION")
        assert "portal API key" in response.json()["message"]


def test_no_credential_is_401(client: TestClient) -> None:
    for response in (client.post(URL), client.get(f"{URL}/status")):
        assert response.status_code == 401
        assert_hubspot_error(response.json(), "INVALID_AUTHENTICATION")


def test_bad_key_is_401(client: TestClient) -> None:
    response = client.post(f"{URL}?hapikey=not-a-key")
    assert response.status_code == 401
