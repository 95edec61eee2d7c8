"""Foundation, as real clients see it over HTTP: hubspot3 writes portal settings and stores and
reads them back; hubspot-php (v2 and v1) and edX's slumber requests, sent byte for byte as those
clients send them, get the documented status codes and bodies."""

from __future__ import annotations

from typing import Any

import httpx
from hubspot3.ecommerce_bridge import EcommerceBridgeClient

from tests.acceptance.support import (
    JSON,
    V1,
    V2,
    assert_error_shape,
    php_query,
    shop_mappings,
    v1_shop_settings,
)
from tests.support.factories import InstalledApp, Portal
from tests.support.jobs import RunJobs
from tests.support.live import LiveServer

PHP_V2 = {"User-Agent": "SevenShores_Hubspot_PHP/2.0.4 (https://github.com/HubSpot/hubspot-php)"}
PHP_V1 = {
    "User-Agent": "SevenShores_Hubspot_PHP/1.0.0-rc.1 (https://github.com/ryanwinchester/hubspot-php)"
}
EDX = {
    "User-Agent": "python-requests/2.22.0 edx-rest-api-client/1.9.2 ecommerce.example.org",
    "Content-Type": "application/json",
    "Accept": "application/json",
}


def test_hubspot3_writes_portal_settings_and_stores_and_reads_them_back(
    live_server: LiveServer, portal: Portal
) -> None:
    bridge = EcommerceBridgeClient(api_key=portal.api_key, api_base=live_server.url)

    stored = bridge.create_or_update_settings(shop_mappings())
    first = bridge.create_or_update_store("shop-1", "Shop One", "https://shop.example/admin")
    second = bridge.create_or_update_store("shop-2", "Shop Two")
    renamed = bridge.create_or_update_store("shop-1", "Shop 1", "https://shop.example/admin")

    assert stored == {"enabled": True, "webhookUri": None, "mappings": shop_mappings()}
    assert first == {"id": "shop-1", "label": "Shop One", "adminUri": "https://shop.example/admin"}
    assert second == {"id": "shop-2", "label": "Shop Two"}  # symmetric: no adminUri sent
    assert renamed["label"] == "Shop 1"
    with httpx.Client(base_url=live_server.url, params={"hapikey": portal.api_key}) as http:
        settings = http.get(f"{V2}/settings")
        stores = http.get(f"{V2}/stores")
        one = http.get(f"{V2}/stores/shop-1")
        missing = http.get(f"{V2}/stores/shop-3")
    assert (settings.status_code, settings.json()) == (200, stored)
    assert stores.status_code == 200
    assert stores.json() == {"results": [renamed, second]}
    assert (one.status_code, one.json()) == (200, renamed)
    assert missing.status_code == 404
    assert_error_shape(missing.json(), 404)


def test_hubspot3_with_an_unknown_key_is_unauthorized(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url) as http:
        response = http.put(
            f"{V2}/stores?hapikey=not-a-key", json={"id": "s", "label": "S"}, headers=JSON
        )
    assert response.status_code == 401
    assert_error_shape(response.json(), 401)
    assert response.json()["category"] == "INVALID_AUTHENTICATION"


def test_hubspot_php_v2_requests_get_the_documented_answers(
    live_server: LiveServer, portal: Portal, installed_app: InstalledApp, run_jobs: RunJobs
) -> None:
    dev, key = installed_app.developer_api_key, portal.api_key
    settings = {"enabled": True, "webhookUri": None, "mappings": shop_mappings()}
    store = {"id": "craft-store", "label": "Craft store", "adminUri": "https://craft.example/admin"}
    batch = {
        "storeId": "craft-store",
        "objectType": "CONTACT",
        "messages": [
            {
                "action": "UPSERT",
                "changedAt": "1600000000000",
                "externalObjectId": 35933,
                "properties": {"email": "ada@example.com", "first_name": "Ada"},
            },
            {"action": "UPSERT", "changedAt": 1600000000000.0, "externalObjectId": "no-email"},
        ],
    }
    with httpx.Client(base_url=live_server.url, headers=PHP_V2) as php:
        app_put = php.put(
            f"{V2}/settings"
            + php_query(dev, appId=installed_app.app_id, showProvidedMappings="false"),
            json=settings,
        )
        app_get = php.get(f"{V2}/settings" + php_query(dev, appId=installed_app.app_id))
        portal_put = php.put(f"{V2}/settings" + php_query(key), json=settings)
        store_put = php.put(f"{V2}/stores?hapikey={key}", json=store)
        all_stores = php.get(f"{V2}/stores?hapikey={key}")
        one_store = php.get(f"{V2}/stores/craft-store?hapikey={key}")
        sync = php.put(f"{V2}/sync/messages?hapikey={key}", json=batch)
        run_jobs()
        errors = php.get(f"{V2}/sync/errors/portal" + php_query(key, limit=10, page=1))
        status = php.get(f"{V2}/sync/status/craft-store/CONTACT/35933?hapikey={key}")
        deleted = php.delete(f"{V2}/settings" + php_query(key))
        after = php.get(f"{V2}/settings" + php_query(key))
        app_after = php.get(f"{V2}/settings" + php_query(dev, appId=installed_app.app_id))

    assert (app_put.status_code, app_put.json()) == (200, settings)
    assert (app_get.status_code, app_get.json()) == (200, settings)
    assert (portal_put.status_code, portal_put.json()) == (200, settings)
    assert (store_put.status_code, store_put.json()) == (200, store)
    assert (all_stores.status_code, all_stores.json()) == (200, {"results": [store]})
    assert (one_store.status_code, one_store.json()) == (200, store)
    assert (sync.status_code, sync.content) == (204, b"")
    assert errors.status_code == 200
    assert [(e["externalObjectId"], e["type"]) for e in errors.json()["results"]] == [
        ("no-email", "MISSING_REQUIRED_PROPERTY")
    ]
    assert status.status_code == 200
    body = status.json()
    assert set(body) == {
        "storeId",
        "objectType",
        "externalObjectId",
        "hubspotId",
        "lastProcessedAt",
        "errors",
    }
    assert (body["storeId"], body["externalObjectId"], body["errors"]) == (
        "craft-store",
        "35933",
        [],
    )
    assert isinstance(body["hubspotId"], int) and isinstance(body["lastProcessedAt"], int)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert after.status_code == 404
    assert_error_shape(after.json(), 404)
    assert app_after.status_code == 200  # the app's settings are a separate document


def test_hubspot_php_v1_requests_get_the_documented_answers(
    live_server: LiveServer, portal: Portal, run_jobs: RunJobs
) -> None:
    key = portal.api_key
    settings = v1_shop_settings()
    # The v1 spec's example spells the AVATAR_IMAGE target with a capital S.
    settings["productSyncSettings"]["properties"].append(
        {
            "propertyName": "imageUrl",
            "dataType": "AVATAR_IMAGE",
            "targetHubSpotProperty": "ip__ecomm_bridge__image_url",
        }
    )
    messages = [
        {
            "integratorObjectId": "drupal-1",
            "action": "UPSERT",
            "changeOccurredTimestamp": 1558727887000,
            "propertyNameToValues": {"email": "b@example.com", "first_name": "B"},
        }
    ]
    with httpx.Client(base_url=live_server.url, headers=PHP_V1) as php:
        before = php.get(f"{V1}/installs/status?hapikey={key}")
        install = php.post(f"{V1}/installs?hapikey={key}")
        put = php.put(f"{V1}/settings?hapikey={key}", json=settings)
        got = php.get(f"{V1}/settings?hapikey={key}")
        installed = php.get(f"{V1}/installs/status?hapikey={key}")
        sync = php.put(f"{V1}/sync-messages/CONTACT?hapikey={key}", json=messages)
        run_jobs()
        errors = php.get(f"{V1}/sync-errors?hapikey={key}")
        status = php.get(f"{V1}/sync-status/CONTACT/drupal-1?hapikey={key}")
        uninstall = php.post(f"{V1}/installs/uninstall?hapikey={key}")
        uninstalled = php.get(f"{V1}/installs/status?hapikey={key}")
        delete = php.delete(f"{V1}/settings?hapikey={key}")

    expected = v1_shop_settings()
    expected["productSyncSettings"]["properties"].append(
        {
            "propertyName": "imageUrl",
            "dataType": "AVATAR_IMAGE",
            "targetHubspotProperty": "ip__ecomm_bridge__image_url",
        }
    )
    assert before.json() == {"installCompleted": False, "ecommSettingsEnabled": False}
    assert (install.status_code, install.content) == (204, b"")
    assert (put.status_code, put.json()) == (200, expected)
    assert (got.status_code, got.json()) == (200, expected)
    assert installed.json() == {"installCompleted": True, "ecommSettingsEnabled": True}
    assert (sync.status_code, sync.content) == (204, b"")
    assert (errors.status_code, errors.json()) == (200, {"results": []})
    assert status.status_code == 200
    assert status.json()["numErrors"] == 0 and status.json()["objectType"] == "CONTACT"
    assert (uninstall.status_code, uninstall.content) == (204, b"")
    assert uninstalled.json()["installCompleted"] is False
    assert (delete.status_code, delete.content) == (204, b"")


def _edx_message(external_id: str, **values: Any) -> dict[str, Any]:
    return {
        "integratorObjectId": external_id,
        "action": "UPSERT",
        "changeOccurredTimestamp": 1558727887000,
        "propertyNameToValues": values,
    }


def test_edx_slumber_requests_with_trailing_slashes(
    live_server: LiveServer, portal: Portal, run_jobs: RunJobs
) -> None:
    key = portal.api_key
    with httpx.Client(base_url=live_server.url, headers=EDX) as edx:
        installs = [edx.post(f"{V1}/installs/?hapikey={key}", content=b"") for _ in range(2)]
        settings = edx.put(f"{V1}/settings/?hapikey={key}", json=v1_shop_settings())
        batch = [
            _edx_message("edx-1", email="learner@example.org", first_name="L"),
            _edx_message("edx-2", first_name="no email"),
        ]
        sync = edx.put(f"{V1}/sync-messages/CONTACT/?hapikey={key}", json=batch)
        run_jobs()
        errors = edx.get(f"{V1}/sync-errors/?hapikey={key}")
        status = edx.get(f"{V1}/sync-status/CONTACT/edx-2/?hapikey={key}")
        unknown = edx.get(f"{V1}/sync-status/CONTACT/edx-404/?hapikey={key}")

    assert [(r.status_code, r.content) for r in installs] == [(204, b""), (204, b"")]
    assert (settings.status_code, settings.json()) == (200, v1_shop_settings())
    assert (sync.status_code, sync.content) == (204, b"")
    assert errors.status_code == 200
    results = errors.json()["results"]
    assert [(e["objectType"], e["integratorObjectId"], e["type"]) for e in results] == [
        ("CONTACT", "edx-2", "MISSING_REQUIRED_PROPERTY")
    ]
    assert set(results[0]) == {
        "portalId",
        "objectType",
        "integratorObjectId",
        "changeOccurredTimestamp",
        "errorTimestamp",
        "type",
        "details",
        "status",
    }
    assert results[0]["details"] and results[0]["status"] == "OPEN"
    assert status.status_code == 200
    assert status.json()["numErrors"] == 1
    assert status.json()["lastProcessedAt"] == results[0]["errorTimestamp"]
    assert unknown.status_code == 400
    assert_error_shape(unknown.json(), 400)


def test_v1_portal_moves_to_v2_by_replacing_the_default_store(
    live_server: LiveServer, portal: Portal, run_jobs: RunJobs
) -> None:
    """S3's migration: a v1 portal's data lives in "default"; replacing it gives the store a new
    id that v2 clients sync to, and both ids show the same objects."""
    key = portal.api_key
    with httpx.Client(base_url=live_server.url, headers=JSON) as http:
        assert http.post(f"{V1}/installs?hapikey={key}").status_code == 204
        assert http.put(f"{V1}/settings?hapikey={key}", json=v1_shop_settings()).status_code == 200
        listed = http.get(f"{V2}/stores?hapikey={key}").json()
        v1_batch = [_edx_message("c-1", email="one@example.com", first_name="One")]
        assert (
            http.put(f"{V1}/sync-messages/CONTACT?hapikey={key}", json=v1_batch).status_code == 204
        )
        run_jobs()
        new = {"id": "shop-2024", "label": "Shop", "adminUri": "https://shop.example/admin"}
        replaced = http.post(f"{V2}/stores/default/replace?hapikey={key}", json=new)
        v2_batch = {
            "storeId": "shop-2024",
            "objectType": "CONTACT",
            "messages": [{"action": "UPSERT", "changedAt": 1558727888000,
                          "externalObjectId": "c-2", "properties": {"email": "two@example.com"}}],
        }  # fmt: skip
        assert http.put(f"{V2}/sync/messages?hapikey={key}", json=v2_batch).status_code == 204
        run_jobs()
        statuses = {
            (store, external_id): http.get(
                f"{V2}/sync/status/{store}/CONTACT/{external_id}?hapikey={key}"
            )
            for store in ("default", "shop-2024")
            for external_id in ("c-1", "c-2")
        }
        v1_status = http.get(f"{V1}/sync-status/CONTACT/c-2?hapikey={key}")
        after = http.get(f"{V2}/stores?hapikey={key}").json()

    assert listed == {"results": [{"id": "default", "label": "Custom", "adminUri": "string"}]}
    assert (replaced.status_code, replaced.json()) == (200, new)
    assert new in after["results"]
    assert all(response.status_code == 200 for response in statuses.values()), statuses
    for external_id in ("c-1", "c-2"):
        assert (
            statuses[("default", external_id)].json()["hubspotId"]
            == statuses[("shop-2024", external_id)].json()["hubspotId"]
        )
    assert v1_status.status_code == 200
    assert v1_status.json()["hubspotId"] == statuses[("default", "c-2")].json()["hubspotId"]
