"""The credential rules of reference §2.2 on the real ecommerce endpoints."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.support.factories import InstalledApp, Portal, make_private_app_token
from tests.support.oauth import install_through_consent, redeem
from tests.support.wire import assert_hubspot_error, bearer

V2 = "/extensions/ecomm/v2"
SYNC_BODY = {
    "storeId": "default",
    "objectType": "CONTACT",
    "messages": [
        {
            "action": "UPSERT",
            "changedAt": 1_600_000_000_000,
            "externalObjectId": "contact-1",
            "properties": {"email": "a@example.com"},
        }
    ],
}


@pytest.fixture
def credentials(db: Database, portal: Portal, installed_app: InstalledApp) -> dict[str, Any]:
    return {
        "portal key": {"params": {"hapikey": portal.api_key}},
        "developer key": {
            "params": {"hapikey": installed_app.developer_api_key, "appId": installed_app.app_id}
        },
        "access token": {"headers": bearer(installed_app.access_token)},
        "access_token query": {"params": {"access_token": installed_app.access_token}},
        "private-app token": {"headers": bearer(make_private_app_token(db, portal.id))},
    }


# endpoint -> the credentials it accepts (the others get 403)
RULES = {
    ("GET", f"{V2}/stores"): {
        "portal key",
        "access token",
        "access_token query",
        "private-app token",
    },
    ("PUT", f"{V2}/sync/messages"): {
        "portal key",
        "access token",
        "access_token query",
        "private-app token",
    },
    ("GET", f"{V2}/sync/errors"): {"access token", "access_token query"},
    ("GET", f"{V2}/sync/errors/portal"): {"portal key", "private-app token"},
}


@pytest.mark.parametrize(("method", "path"), list(RULES))
def test_each_endpoint_takes_its_credential_kinds(
    client: TestClient, credentials: dict[str, Any], method: str, path: str
) -> None:
    for name, how in credentials.items():
        kwargs = dict(how)
        if method == "PUT":
            kwargs["json"] = SYNC_BODY
        response = client.request(method, path, **kwargs)
        if name in RULES[(method, path)]:
            assert response.status_code in (200, 204), (name, response.text)
        else:
            assert response.status_code == 403, (name, response.text)
            assert_hubspot_error(response.json(), "INVALID_AUTHENTICATION")


def test_app_error_listing_takes_the_developer_key(
    client: TestClient, credentials: dict[str, Any], installed_app: InstalledApp
) -> None:
    path = f"{V2}/sync/errors/app/{installed_app.app_id}"
    ok = client.get(path, params={"hapikey": installed_app.developer_api_key})
    assert ok.status_code == 200
    refused = client.get(path, **credentials["portal key"])
    assert refused.status_code == 403
    assert "developer API key" in refused.json()["message"]


def test_sync_messages_without_credentials_are_401(client: TestClient) -> None:
    response = client.put(f"{V2}/sync/messages", json=SYNC_BODY)
    assert response.status_code == 401
    assert_hubspot_error(response.json(), "INVALID_AUTHENTICATION")


def test_revoked_token_stops_syncing_at_once(
    client: TestClient, db: Database, portal: Portal
) -> None:
    installed, code = install_through_consent(client, db, portal)
    authorization = bearer(installed.access_token)
    assert (
        client.put(f"{V2}/sync/messages", json=SYNC_BODY, headers=authorization).status_code == 204
    )
    assert not redeem(client, installed, code, portal).access_token  # a replayed code
    response = client.put(f"{V2}/sync/messages", json=SYNC_BODY, headers=authorization)
    assert response.status_code == 401
    assert "revoked" in response.json()["message"]
