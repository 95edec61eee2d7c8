"""Wire conventions shared by every endpoint: error shape, unknown routes, body limit,
trailing slashes, ``?&`` query strings and NUL characters in URLs."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ecombridge.api.app import create_app
from ecombridge.config import Config
from ecombridge.db.engine import Database
from tests.support.factories import InstalledApp, Portal
from tests.support.jobs import RunJobs
from tests.support.wire import assert_hubspot_error, bearer


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"


def test_unknown_route_is_404_in_hubspot_shape(client: TestClient) -> None:
    response = client.get("/extensions/ecomm/v9/nothing")
    assert response.status_code == 404
    assert_hubspot_error(response.json(), "OBJECT_NOT_FOUND")
    assert "/extensions/ecomm/v9/nothing" in response.json()["message"]


def test_trailing_slash_and_leading_ampersand_are_tolerated(client: TestClient) -> None:
    assert client.get("/healthz/").status_code == 200
    assert client.get("/healthz?&portalId=1&userId=2").status_code == 200


def test_oversized_body_is_413_in_hubspot_shape(config: Config, db: Database) -> None:
    app = create_app(config.model_copy(update={"max_body_bytes": 1000}), db)
    with TestClient(app) as small_client:
        response = small_client.put(
            "/healthz", content=b"x" * 5000, headers={"content-type": "application/json"}
        )
    assert response.status_code == 413
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    assert "1000 bytes" in response.json()["message"]


def test_a_nul_character_in_the_path_is_a_404_before_any_lookup(
    client: TestClient, portal: Portal, installed_app: InstalledApp
) -> None:
    key = f"hapikey={portal.api_key}"
    authorization = bearer(installed_app.access_token)
    for path, headers in (
        (f"/extensions/ecomm/v1/sync-status/CONTACT/a%00b?{key}", {}),
        (f"/extensions/ecomm/v1/sync-errors/object/CONTACT/a%00b?{key}", {}),
        (f"/extensions/ecomm/v2/sync/status/default/CONTACT/a%00b?{key}", {}),
        (f"/crm/v3/objects/contacts/a%00b@example.com?idProperty=email&{key}", {}),
        ("/extensions/ecomm/v2/imports/a%00b", authorization),
        ("/app/stores/0/a%00b", {}),
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert_hubspot_error(response.json(), "OBJECT_NOT_FOUND")
        assert "NUL" in response.json()["message"]


def test_a_nul_character_in_the_query_is_a_400(client: TestClient, portal: Portal) -> None:
    for query in ("x=%00", "q=a%00b&limit=1"):
        response = client.get(f"/extensions/ecomm/v2/stores?hapikey={portal.api_key}&{query}")
        assert response.status_code == 400, query
        assert_hubspot_error(response.json(), "VALIDATION_ERROR")
        assert "NUL" in response.json()["message"]


def test_app_id_beyond_the_id_range_is_a_400(
    client: TestClient, installed_app: InstalledApp
) -> None:
    key = installed_app.developer_api_key
    for app_id in ("99999999999999999999", "0", "-5", "abc"):
        response = client.get(f"/extensions/ecomm/v2/settings?appId={app_id}&hapikey={key}")
        assert response.status_code == 400, app_id
        assert_hubspot_error(response.json(), "VALIDATION_ERROR")
        assert "appId" in response.json()["message"]


def test_an_encoded_trailing_slash_belongs_to_the_id(
    client: TestClient, portal: Portal, run_jobs: RunJobs
) -> None:
    key = {"hapikey": portal.api_key}
    mapping = {"externalPropertyName": "mail", "hubspotPropertyName": "email"}
    settings = {"enabled": True, "mappings": {"CONTACT": {"properties": [mapping]}}}
    assert client.put("/extensions/ecomm/v2/settings", params=key, json=settings).status_code == 200
    messages = [
        {"action": "UPSERT", "externalObjectId": external_id, "properties": {"mail": f"{n}@a.io"}}
        for n, external_id in enumerate(["b", "b/", "/"])
    ]
    batch = {"storeId": "default", "objectType": "CONTACT", "messages": messages}
    assert (
        client.put("/extensions/ecomm/v2/sync/messages", params=key, json=batch).status_code == 204
    )
    run_jobs()

    def status_of(path: str) -> object:
        response = client.get(path, params=key, follow_redirects=False)
        assert response.status_code == 200, response.text
        return response.json()["externalObjectId"]

    v2 = "/extensions/ecomm/v2/sync/status/default/CONTACT"
    assert status_of(f"{v2}/b%2F") == "b/"
    assert status_of(f"{v2}/%2F") == "/"
    assert status_of(f"{v2}/b/") == "b"  # a literal trailing slash is still dropped (slumber)
    assert status_of(f"{v2}/b%2F/") == "b/"
    assert status_of("/extensions/ecomm/v1/sync-status/CONTACT/b%2F/") == "b/"


def test_an_unmatched_path_is_a_404_not_a_redirect(client: TestClient, portal: Portal) -> None:
    # Without an id, before and after the trailing slash is dropped: no route, no redirect loop.
    for path in (
        "/extensions/ecomm/v2/sync/status/default/CONTACT/",
        "/extensions/ecomm/v2/sync/status/default/CONTACT",
        "/extensions/ecomm/v1/sync-status/CONTACT/",
    ):
        response = client.get(path, params={"hapikey": portal.api_key}, follow_redirects=False)
        assert response.status_code == 404, path
        assert_hubspot_error(response.json(), "OBJECT_NOT_FOUND")
