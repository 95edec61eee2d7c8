"""Contract: settings (v2, v1, import settings), stores and v1 installs, against the real app."""

from __future__ import annotations

import pytest

from ecombridge.client import (
    BadRequest,
    Client,
    Forbidden,
    NotFound,
    PropertyMapping,
    Store,
    Unauthorized,
    V1Settings,
)
from tests.client.contract import app_client, developer_client, settings
from tests.support.factories import InstalledApp, Portal
from tests.support.live import LiveServer


def test_portal_settings_put_get_delete(live_server: LiveServer, portal: Portal) -> None:
    with Client(live_server.url, api_key=portal.api_key) as bridge:
        stored = bridge.put_settings(settings("https://shop.test/import"))
        assert stored == settings("https://shop.test/import")
        assert bridge.get_settings() == stored
        bridge.delete_settings()
        with pytest.raises(NotFound) as caught:
            bridge.get_settings()
    assert caught.value.category == "OBJECT_NOT_FOUND"
    assert caught.value.correlation_id


def test_app_settings_with_developer_key_and_app_id(
    live_server: LiveServer, installed_app: InstalledApp
) -> None:
    dev = developer_client(live_server, installed_app)
    with dev:
        assert dev.put_settings(settings()).mappings["DEAL"][1] == PropertyMapping(
            "stage", "dealstage", "STRING"
        )
        assert dev.get_settings().enabled is True
        assert (
            dev.v1_put_import_settings("https://shop.test/v1-import")
            == "https://shop.test/v1-import"
        )
        assert dev.v1_get_import_settings() == "https://shop.test/v1-import"
        dev.delete_settings()


def test_v1_settings_are_the_same_stored_object(live_server: LiveServer, portal: Portal) -> None:
    with Client(live_server.url, api_key=portal.api_key) as bridge:
        v1 = V1Settings(
            enabled=True,
            mappings={"CONTACT": [PropertyMapping("mail", "email", "STRING")]},
        )
        assert bridge.v1_put_settings(v1).mappings["CONTACT"] == v1.mappings["CONTACT"]
        assert bridge.v1_get_settings().mappings["CONTACT"] == v1.mappings["CONTACT"]
        assert bridge.get_settings().mappings["CONTACT"] == v1.mappings["CONTACT"]
        bridge.v1_delete_settings()
        with pytest.raises(NotFound):
            bridge.v1_get_settings()


def test_stores_lifecycle(live_server: LiveServer, portal: Portal) -> None:
    with Client(live_server.url, api_key=portal.api_key) as bridge:
        shop = Store("shop-1", "Shop one", "https://shop.test/admin")
        assert bridge.put_store(shop) == shop
        assert bridge.get_store("shop-1") == shop
        assert shop in bridge.list_stores()
        replaced = bridge.replace_default_store(Store("main", "Main shop"))
        assert replaced.id == "main"
        bridge.delete_store("shop-1")
        with pytest.raises(NotFound):
            bridge.get_store("shop-1")


def test_stores_with_an_app_token(live_server: LiveServer, installed_app: InstalledApp) -> None:
    with app_client(live_server, installed_app) as bridge:
        bridge.put_store(Store("app-shop", "App shop"))
        assert [s.id for s in bridge.list_stores()] == ["app-shop"]


def test_v1_installs(live_server: LiveServer, portal: Portal) -> None:
    with Client(live_server.url, api_key=portal.api_key) as bridge:
        bridge.v1_install()
        bridge.v1_install()  # idempotent
        assert bridge.v1_install_status().install_completed is True
        bridge.v1_uninstall()


def test_bad_credentials_raise_unauthorized_with_hubspot_body(live_server: LiveServer) -> None:
    with (
        Client(live_server.url, api_key="not-a-key") as bridge,
        pytest.raises(Unauthorized) as caught,
    ):
        bridge.list_stores()
    assert caught.value.category == "INVALID_AUTHENTICATION"
    assert caught.value.body["status"] == "error"


def test_wrong_credential_kind_is_refused(
    live_server: LiveServer, installed_app: InstalledApp
) -> None:
    dev = Client(live_server.url, api_key=installed_app.developer_api_key)
    with dev, pytest.raises((Forbidden, Unauthorized, BadRequest)):
        dev.list_stores()
