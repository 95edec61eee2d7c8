"""The hubspot3 package's OAuth client against a real server: code exchange, refresh, token
metadata and revocation, as an installed app would use them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hubspot3.ecommerce_bridge import EcommerceBridgeClient
from hubspot3.error import HubspotError, HubspotUnauthorized
from hubspot3.oauth2 import OAuth2Client

from ecombridge.db.engine import Database
from ecombridge.tenancy import repository as tenancy_repo
from ecombridge.tenancy import service as tenancy
from ecombridge.tenancy.secrets import digest
from tests.support.factories import InstalledApp, Portal
from tests.support.live import LiveServer

REDIRECT = "https://shop.example/callback"


def test_hubspot3_oauth_client(live_server: LiveServer, db: Database, portal: Portal) -> None:
    with db.write() as conn:
        app = tenancy.create_app(conn, "hubspot3 app", [REDIRECT])
    consent = httpx.post(
        f"{live_server.url}/oauth/authorize",
        data={
            "client_id": app.client_id,
            "redirect_uri": REDIRECT,
            "scope": "integration-sync",
            "portal_key": portal.api_key,
            "decision": "allow",
        },
    )
    assert consent.status_code == 302
    code = parse_qs(urlsplit(consent.headers["location"]).query)["code"][0]

    client = OAuth2Client(
        client_id=app.client_id, client_secret=app.client_secret, api_base=live_server.url
    )
    tokens = client.get_tokens(code, REDIRECT)
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 1800
    assert client.refresh_token == tokens["refresh_token"]

    info = client.get_access_token_data(tokens["access_token"])
    assert (info["hub_id"], info["app_id"]) == (portal.id, app.app_id)
    assert info["scopes"] == ["integration-sync"]

    refreshed = client.refresh_tokens()
    assert refreshed["refresh_token"] == tokens["refresh_token"]
    assert client.get_refresh_token_data()["hub_id"] == portal.id

    client.delete_refresh_token()
    with pytest.raises(HubspotError):
        client.get_refresh_token_data()
    # Access tokens made with the refresh token keep working...
    assert client.get_access_token_data(refreshed["access_token"])["hub_id"] == portal.id
    with pytest.raises(HubspotError):
        client.get_tokens(code, REDIRECT)  # codes are single use
    # ...until the code is replayed: then what it issued is revoked.
    with pytest.raises(HubspotError):
        client.get_access_token_data(refreshed["access_token"])


def test_hubspot3_sees_an_expired_token_as_unauthorized(
    live_server: LiveServer, db: Database, installed_app: InstalledApp
) -> None:
    """The 401 is what makes hubspot3 refresh. (Its automatic refresh rebuilds the connection
    without the base URL's scheme, so it only works when the bridge is served over https.)"""
    with db.write() as conn:
        tenancy_repo.set_credential_expiry(conn, digest(installed_app.access_token), 1_000)
    bridge = EcommerceBridgeClient(
        access_token=installed_app.access_token, api_base=live_server.url
    )
    with pytest.raises(HubspotUnauthorized) as raised:
        bridge.create_or_update_store("web-shop", "Web shop")
    assert raised.value.result.status == 401
    assert b"expired" in raised.value.result.body
