"""An app installed through the OAuth flow over HTTP (consent, code, token exchange)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from ecombridge.tenancy import service as tenancy
from tests.support.factories import InstalledApp, Portal

REDIRECT_URI = "https://shop.example/oauth/callback"


def install_through_consent(
    client: TestClient, db: Database, portal: Portal
) -> tuple[InstalledApp, str]:
    """The installed app and the authorization code it was installed with."""
    with db.write() as conn:
        app = tenancy.create_app(conn, "OAuth app", [REDIRECT_URI])
    consent = {
        "client_id": app.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "integration-sync oauth",
        "portal_key": portal.api_key,
        "decision": "allow",
    }
    answer = client.post("/oauth/authorize", data=consent, follow_redirects=False)
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    return redeem(client, app, code, portal), code


def redeem(client: TestClient, app: tenancy.CreatedApp, code: str, portal: Portal) -> InstalledApp:
    form = {
        "grant_type": "authorization_code",
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "redirect_uri": REDIRECT_URI,
        "code": code,
    }
    tokens = client.post("/oauth/v1/token", data=form).json()
    return InstalledApp(
        app.app_id,
        app.developer_api_key,
        app.client_id,
        app.client_secret,
        portal.id,
        tokens.get("access_token", ""),
        tokens.get("refresh_token", ""),
    )
