"""Shared pieces of the SDK's contract tests against the real app on a live server."""

from __future__ import annotations

from ecombridge.client import Client, PropertyMapping, Settings
from tests.support.factories import InstalledApp
from tests.support.live import LiveServer

MAPPINGS = {
    "CONTACT": [
        PropertyMapping("email", "email", "STRING"),
        PropertyMapping("first_name", "firstname", "STRING"),
    ],
    "PRODUCT": [
        PropertyMapping("name", "name", "STRING"),
        PropertyMapping("price", "price", "NUMBER"),
    ],
    "DEAL": [
        PropertyMapping("name", "dealname", "STRING"),
        PropertyMapping("stage", "dealstage", "STRING"),
        PropertyMapping("total", "amount", "NUMBER"),
    ],
    "LINE_ITEM": [
        PropertyMapping("name", "name", "STRING"),
        PropertyMapping("quantity", "quantity", "NUMBER"),
    ],
}


def settings(webhook_uri: str | None = None) -> Settings:
    return Settings(
        enabled=True, webhook_uri=webhook_uri, mappings={k: list(v) for k, v in MAPPINGS.items()}
    )


def developer_client(live_server: LiveServer, installed_app: InstalledApp) -> Client:
    """The app developer's client: app settings and the app's errors across portals."""
    return Client(
        live_server.url,
        developer_api_key=installed_app.developer_api_key,
        app_id=installed_app.app_id,
    )


def app_client(live_server: LiveServer, installed_app: InstalledApp) -> Client:
    """The installed app's client in its portal (OAuth access token)."""
    return Client(live_server.url, access_token=installed_app.access_token)
