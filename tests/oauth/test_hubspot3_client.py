"""The hubspot3 package's OAuth client against a real server: code exchange, refresh, token
metadata and revocation, as an installed app would use them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hubspot3.error import HubspotError
from hubspot3.oauth2 import OAuth2Client

from ecombridge.db.engine import Database
from ecombridge.tenancy import service as tenancy
from tests.support.factories import Portal
from tests.support.live import LiveServer

REDIRECT = "https://shop.example/callback"


def test_hubspot3_oauth_client(live_server: LiveServer, db: Database, portal: Portal) -> None:
    with db.write() as conn:
        app = tenancy.create_app(conn, "hubspot3 app")
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
        client.get_access_token_data(refreshed["access_token"])
    with pytest.raises(HubspotError):
        client.get_tokens(code, REDIRECT)  # codes are single use
