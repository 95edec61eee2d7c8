"""Webhook URIs (v2 ``webhookUri``, v1 ``importTriggerUri``) are checked on save: the bridge will
call them, so they must not point into its own network unless the operator allows it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.factories import InstalledApp, Portal
from tests.support.wire import assert_bad_field

V2 = "/extensions/ecomm/v2/settings"
IMPORT_SETTINGS = "/extensions/ecomm/v1/import-settings"

INTERNAL = [
    "http://127.0.0.1:8080/admin",
    "http://localhost/hook",
    "http://0.0.0.0:22/",
    "http://2130706433/",  # 127.0.0.1 as one decimal number
    "http://0x7f.1/",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://10.0.0.7/",
    "http://192.168.1.1/",
    "https://[::1]/hook",
    "http://[::ffff:127.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
]


def settings(webhook: str | None) -> dict[str, Any]:
    return {"enabled": True, "webhookUri": webhook, "mappings": {}}


def app_query(app: InstalledApp) -> str:
    return f"appId={app.app_id}&hapikey={app.developer_api_key}"


@pytest.mark.parametrize("uri", INTERNAL)
def test_internal_addresses_are_refused_naming_the_field(
    client: TestClient, installed_app: InstalledApp, portal: Portal, uri: str
) -> None:
    query = app_query(installed_app)
    v2 = client.put(f"{V2}?{query}", json=settings(uri))
    assert_bad_field(v2, "webhookUri")
    assert "private, loopback or reserved" in v2.json()["message"]
    assert_bad_field(client.put(f"{V2}?hapikey={portal.api_key}", json=settings(uri)), "webhookUri")
    v1 = client.put(f"{IMPORT_SETTINGS}?{query}", json={"importTriggerUri": uri})
    assert_bad_field(v1, "importTriggerUri")
    # Nothing was stored.
    assert client.get(f"{V2}?{query}").status_code == 404
    assert client.get(f"{IMPORT_SETTINGS}?{query}").json() == {"importTriggerUri": None}


@pytest.mark.parametrize(
    "uri", ["ftp://shop.example/x", "shop.example/hook", "http:///x", "http://[::1"]
)
def test_only_absolute_http_urls_are_taken(
    client: TestClient, installed_app: InstalledApp, uri: str
) -> None:
    query = app_query(installed_app)
    assert_bad_field(client.put(f"{V2}?{query}", json=settings(uri)), "webhookUri")
    response = client.put(f"{IMPORT_SETTINGS}?{query}", json={"importTriggerUri": uri})
    assert_bad_field(response, "importTriggerUri")


def test_a_name_that_does_not_resolve_yet_is_taken(
    client: TestClient, installed_app: InstalledApp
) -> None:
    """It is checked again at every call; an app's DNS may come up after its settings."""
    uri = "https://hooks.not-yet-live.invalid/import"
    query = app_query(installed_app)
    assert client.put(f"{V2}?{query}", json=settings(uri)).json()["webhookUri"] == uri
    put = client.put(f"{IMPORT_SETTINGS}?{query}", json={"importTriggerUri": uri})
    assert put.json() == {"importTriggerUri": uri}


@pytest.mark.usefixtures("allow_private_webhooks")
def test_the_operator_may_allow_private_addresses(
    client: TestClient, installed_app: InstalledApp
) -> None:
    query = app_query(installed_app)
    uri = "http://127.0.0.1:9000/import"
    assert client.put(f"{V2}?{query}", json=settings(uri)).status_code == 200
    put = client.put(f"{IMPORT_SETTINGS}?{query}", json={"importTriggerUri": uri})
    assert put.json() == {"importTriggerUri": uri}
    # allow_private_webhooks allows loopback only.
    refused = client.put(f"{V2}?{query}", json=settings("http://10.0.0.7/"))
    assert_bad_field(refused, "webhookUri")
