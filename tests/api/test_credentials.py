"""Which credential each kind of endpoint takes (reference §2.2), exercised through the real
request dependencies mounted on a few probe routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient

from ecombridge.api.app import create_app
from ecombridge.api.deps import (
    AppInstallationCaller,
    DeveloperCaller,
    PortalCaller,
    PortalKeyCaller,
    SettingsOwner,
    principal_cache,
    settings_owner,
)
from ecombridge.config import Config
from ecombridge.db.engine import Database
from ecombridge.tenancy import repository as tenancy_repo
from ecombridge.tenancy import service as tenancy
from ecombridge.tenancy.principal import Principal
from ecombridge.tenancy.secrets import digest
from tests.support.factories import (
    InstalledApp,
    Portal,
    make_installed_app,
    make_private_app_token,
)
from tests.support.oauth import install_through_consent, redeem
from tests.support.wire import assert_hubspot_error, bearer

probe = APIRouter()


def _described(p: Principal) -> dict[str, Any]:
    return {"kind": p.kind.value, "portalId": p.portal_id, "sourceAppId": p.source_app_id}


@probe.get("/probe/portal")
def _portal(caller: PortalCaller) -> dict[str, Any]:
    return _described(caller)


@probe.get("/probe/portal-key")
def _portal_key(caller: PortalKeyCaller) -> dict[str, Any]:
    return _described(caller)


@probe.get("/probe/app-installation")
def _app_installation(caller: AppInstallationCaller) -> dict[str, Any]:
    return _described(caller)


@probe.get("/probe/developer")
def _developer(caller: DeveloperCaller) -> dict[str, Any]:
    return _described(caller)


@probe.get("/probe/settings")
def _settings(owner: SettingsOwner = Depends(settings_owner)) -> dict[str, int]:
    return {"portalId": owner.portal_id, "appId": owner.app_id}


@pytest.fixture
def probe_app(config: Config, db: Database) -> FastAPI:
    app = create_app(config, db)
    app.include_router(probe)
    return app


@pytest.fixture
def probe_client(probe_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(probe_app, raise_server_exceptions=False) as test_client:
        yield test_client


ENDPOINTS = ["portal", "portal-key", "app-installation", "developer"]


def _call(client: TestClient, endpoint: str, how: str, secret: str) -> Any:
    if how == "hapikey":
        return client.get(f"/probe/{endpoint}?hapikey={secret}")
    if how == "access_token":
        return client.get(f"/probe/{endpoint}?access_token={secret}")
    return client.get(f"/probe/{endpoint}", headers=bearer(secret))


def _assert_accepted(client: TestClient, endpoint: str, how: str, secret: str) -> Any:
    response = _call(client, endpoint, how, secret)
    assert response.status_code == 200, response.json()
    return response.json()


def _assert_wrong_kind(client: TestClient, endpoint: str, how: str, secret: str, sent: str) -> None:
    response = _call(client, endpoint, how, secret)
    assert response.status_code == 403
    body = response.json()
    assert_hubspot_error(body, "INVALID_AUTHENTICATION")
    assert "requires" in body["message"] and f"the request used {sent}" in body["message"]


def test_portal_key(probe_client: TestClient, portal: Portal) -> None:
    body = _assert_accepted(probe_client, "portal", "hapikey", portal.api_key)
    assert body == {"kind": "PORTAL_API_KEY", "portalId": portal.id, "sourceAppId": 0}
    _assert_accepted(probe_client, "portal-key", "hapikey", portal.api_key)
    for endpoint in ("app-installation", "developer"):
        _assert_wrong_kind(probe_client, endpoint, "hapikey", portal.api_key, "a portal API key")


def test_developer_key(probe_client: TestClient, installed_app: InstalledApp) -> None:
    key = installed_app.developer_api_key
    body = _assert_accepted(probe_client, "developer", "hapikey", key)
    assert body["kind"] == "DEVELOPER_API_KEY" and body["portalId"] is None
    for endpoint in ("portal", "portal-key", "app-installation"):
        _assert_wrong_kind(probe_client, endpoint, "hapikey", key, "a developer API key")


@pytest.mark.parametrize("how", ["bearer", "access_token"])
def test_access_token(probe_client: TestClient, installed_app: InstalledApp, how: str) -> None:
    token = installed_app.access_token
    body = _assert_accepted(probe_client, "portal", how, token)
    assert body == {
        "kind": "ACCESS_TOKEN",
        "portalId": installed_app.portal_id,
        "sourceAppId": installed_app.app_id,
    }
    _assert_accepted(probe_client, "app-installation", how, token)
    for endpoint in ("portal-key", "developer"):
        _assert_wrong_kind(probe_client, endpoint, how, token, "an OAuth access token")


def test_private_app_token(probe_client: TestClient, db: Database, portal: Portal) -> None:
    token = make_private_app_token(db, portal.id)
    body = _assert_accepted(probe_client, "portal", "bearer", token)
    assert body == {"kind": "PRIVATE_APP_TOKEN", "portalId": portal.id, "sourceAppId": 0}
    _assert_accepted(probe_client, "portal-key", "bearer", token)
    for endpoint in ("app-installation", "developer"):
        _assert_wrong_kind(probe_client, endpoint, "bearer", token, "a private-app token")


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("none", "Authentication credentials not found"),
        ("hapikey", "The API key provided is invalid"),
        ("bearer", "Authentication credentials not found"),
    ],
)
def test_missing_or_unknown_credentials_are_401(
    probe_client: TestClient, how: str, message: str
) -> None:
    if how == "none":
        response = probe_client.get("/probe/portal")
    else:
        response = _call(probe_client, "portal", how, "0f1e2d3c-unknown")
    assert response.status_code == 401
    assert_hubspot_error(response.json(), "INVALID_AUTHENTICATION")
    assert response.json()["message"].startswith(message)


def test_keys_and_tokens_must_use_their_own_transport(
    probe_client: TestClient, portal: Portal, installed_app: InstalledApp
) -> None:
    as_token = _call(probe_client, "portal", "bearer", portal.api_key)
    assert as_token.status_code == 401
    assert "hapikey" in as_token.json()["message"]
    as_key = _call(probe_client, "portal", "hapikey", installed_app.access_token)
    assert as_key.status_code == 401
    assert "Bearer" in as_key.json()["message"]


def test_refresh_tokens_are_not_presentable(
    probe_client: TestClient, installed_app: InstalledApp
) -> None:
    response = _call(probe_client, "portal", "bearer", installed_app.refresh_token)
    assert response.status_code == 401
    assert_hubspot_error(response.json(), "INVALID_AUTHENTICATION")


def test_expired_access_token_is_401(
    probe_client: TestClient, db: Database, installed_app: InstalledApp
) -> None:
    with db.write() as conn:
        tenancy_repo.set_credential_expiry(conn, digest(installed_app.access_token), 1_000)
    response = _call(probe_client, "portal", "bearer", installed_app.access_token)
    assert response.status_code == 401
    assert_hubspot_error(response.json(), "INVALID_AUTHENTICATION")
    assert "expired" in response.json()["message"]


def test_revoked_access_token_is_401(
    probe_client: TestClient, db: Database, portal: Portal
) -> None:
    installed, code = install_through_consent(probe_client, db, portal)
    token = installed.access_token
    _assert_accepted(probe_client, "portal", "bearer", token)  # now cached
    # A replayed authorization code revokes the tokens it issued.
    assert not redeem(probe_client, installed, code, portal).access_token
    response = _call(probe_client, "portal", "bearer", token)
    assert response.status_code == 401
    assert "revoked" in response.json()["message"]


def test_uninstalled_installation_is_401(
    probe_client: TestClient, db: Database, installed_app: InstalledApp
) -> None:
    with db.write() as conn:
        row = tenancy_repo.find_credential(conn, digest(installed_app.access_token))
        assert row is not None
        tenancy_repo.set_installation_uninstalled(conn, row.installation_id, 1_000)
    response = _call(probe_client, "portal", "bearer", installed_app.access_token)
    assert response.status_code == 401
    assert "uninstalled" in response.json()["message"]


def test_access_token_without_sync_scope_is_403_missing_scopes(
    probe_client: TestClient, db: Database, portal: Portal
) -> None:
    app = make_installed_app(db, portal.id, scopes="oauth")
    response = _call(probe_client, "portal", "bearer", app.access_token)
    assert response.status_code == 403
    body = response.json()
    assert_hubspot_error(body, "MISSING_SCOPES")
    assert body["errors"] == [
        {
            "message": "One or more of the following scopes are required.",
            "context": {"requiredScopes": ["e-commerce", "integration-sync"]},
        }
    ]


def test_e_commerce_scope_is_enough(probe_client: TestClient, db: Database, portal: Portal) -> None:
    app = make_installed_app(db, portal.id, scopes="e-commerce")
    _assert_accepted(probe_client, "portal", "bearer", app.access_token)


def test_settings_owner(
    probe_client: TestClient, db: Database, portal: Portal, installed_app: InstalledApp
) -> None:
    dev = installed_app.developer_api_key
    app_settings = probe_client.get(f"/probe/settings?hapikey={dev}&appId={installed_app.app_id}")
    assert app_settings.json() == {"portalId": 0, "appId": installed_app.app_id}
    portal_settings = probe_client.get(f"/probe/settings?hapikey={portal.api_key}")
    assert portal_settings.json() == {"portalId": portal.id, "appId": 0}

    missing = probe_client.get(f"/probe/settings?hapikey={dev}")
    assert missing.status_code == 400
    assert "appId" in missing.json()["message"]
    not_int = probe_client.get(f"/probe/settings?hapikey={dev}&appId=abc")
    assert not_int.status_code == 400
    with db.write() as conn:
        other = tenancy.create_app(conn, "Someone else's app")
    foreign = probe_client.get(f"/probe/settings?hapikey={dev}&appId={other.app_id}")
    assert foreign.status_code == 403
    unknown = probe_client.get(f"/probe/settings?hapikey={dev}&appId=999999")
    assert unknown.status_code == 404
    token = probe_client.get("/probe/settings", headers=bearer(installed_app.access_token))
    assert token.status_code == 403


def test_resolved_callers_are_cached_until_a_revocation(
    probe_app: FastAPI, probe_client: TestClient, db: Database, portal: Portal
) -> None:
    _assert_accepted(probe_client, "portal", "hapikey", portal.api_key)
    assert len(principal_cache(probe_app)) == 1
    # A change made behind this process's back is seen only once the entry is gone...
    with db.write() as conn:
        row = tenancy_repo.find_credential(conn, digest(portal.api_key))
        assert row is not None
        tenancy_repo.revoke_credential(conn, row.id, 1_000)
    _assert_accepted(probe_client, "portal", "hapikey", portal.api_key)
    # ...which a revocation made through this process (or the TTL) brings about.
    principal_cache(probe_app).clear()
    assert _call(probe_client, "portal", "hapikey", portal.api_key).status_code == 401


def test_daily_limit(probe_client: TestClient, portal: Portal, installed_app: InstalledApp) -> None:
    response = probe_client.get(f"/integrations/v1/limit/daily?hapikey={portal.api_key}")
    assert response.status_code == 200
    [limit] = response.json()
    assert set(limit) == {
        "name",
        "usageLimit",
        "currentUsage",
        "collectedAt",
        "fetchStatus",
        "resetsAt",
    }
    assert limit["name"] == "api-calls-daily" and limit["fetchStatus"] == "SUCCESS"
    # Truthful: this request is today's first API call of the key.
    assert limit["usageLimit"] == 1_000_000 and limit["currentUsage"] == 1
    assert 0 < limit["resetsAt"] - limit["collectedAt"] <= 86_400_000
    assert (
        probe_client.get(
            "/integrations/v1/limit/daily",
            headers=bearer(installed_app.access_token),
        ).status_code
        == 403
    )
