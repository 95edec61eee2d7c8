"""Historical imports end to end: an installed app imports a store of thousands of records per type
through v2 pages and through v1 import-pages, answering the bridge's import webhook from a real
local HTTP server; progress is checked at every state, and the result (objects by external id,
associations, error types) equals what syncing the same records gives in another portal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hubspot3.ecommerce_bridge import EcommerceBridgeClient

from ecombridge.db import tables as t
from ecombridge.db.engine import Database
from ecombridge.tenancy import service as tenancy
from tests.acceptance.support import (
    V1,
    V2,
    Shop,
    assert_error_shape,
    make_shop,
    shop_mappings,
    v1_shop_settings,
)
from tests.imports.integrator import Integrator, counts_reply, serve
from tests.support.factories import InstalledApp, make_portal, make_private_app_token
from tests.support.jobs import RunJobs
from tests.support.live import LiveServer

SIZES = {"PRODUCT": 2000, "CONTACT": 3000, "DEAL": 3000, "LINE_ITEM": 6000}
ORDER = ("PRODUCT", "CONTACT", "DEAL", "LINE_ITEM")
# Properties that name processing times or per-portal ids, not synced data.
VOLATILE = {"hs_object_id", "createdate", "lastmodifieddate", "pipeline", "hs_product_id"}

Snapshot = dict[tuple[str, str], tuple[dict[str, Any], list[tuple[str, str]], str | None]]


@pytest.fixture(scope="module")
def shop() -> Shop:
    return make_shop(*(SIZES[k] for k in ORDER), invalid=True)


@pytest.fixture
def integrator(installed_app: InstalledApp, allow_private_webhooks: None) -> Iterator[Integrator]:
    replies = [counts_reply(*(SIZES[k] for k in ("PRODUCT", "CONTACT", "LINE_ITEM", "DEAL")))]
    yield from serve(Integrator(installed_app.client_secret, replies))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def install_in(db: Database, app: InstalledApp) -> tuple[int, str]:
    """The same app (same app settings) installed in a new portal: its id and an access token."""
    portal = make_portal(db, "Portal")
    with db.write() as conn:
        tokens = tenancy.install_app(conn, app.app_id, portal.id, "integration-sync", ttl_s=1800)
    return portal.id, tokens.access_token


def snapshot(db: Database, portal_id: int, app_id: int, store_id: str) -> Snapshot:
    """Every object the app synced into a portal's store: its data, associations by external id,
    and the type of its open error."""
    with db.read() as conn:
        link = t.sync_objects.c
        links = conn.execute(
            sa.select(link.object_type, link.external_id, link.hubspot_id).where(
                link.portal_id == portal_id, link.source_app_id == app_id, link.store_id == store_id
            )
        ).all()
        external = {(r.object_type, r.hubspot_id): r.external_id for r in links}
        objects = {
            (r.object_type, r.id): r.properties
            for r in conn.execute(
                sa.select(
                    t.crm_objects.c.object_type, t.crm_objects.c.id, t.crm_objects.c.properties
                ).where(t.crm_objects.c.portal_id == portal_id)
            )
        }
        targets: dict[tuple[str, int], list[tuple[str, str]]] = {}
        for a in conn.execute(
            sa.select(t.associations).where(t.associations.c.portal_id == portal_id)
        ):
            targets.setdefault((a.from_type, a.from_id), []).append(
                (a.to_type, external[(a.to_type, a.to_id)])
            )
        e = t.sync_errors.c
        errors = {
            (r.object_type, r.external_id): r.type
            for r in conn.execute(
                sa.select(e.object_type, e.external_id, e.type).where(
                    e.portal_id == portal_id,
                    e.source_app_id == app_id,
                    e.store_id == store_id,
                    e.status == "OPEN",
                )
            )
        }
    result: Snapshot = {}
    for r in links:
        key = (r.object_type, r.hubspot_id)
        properties = {
            name: value for name, value in objects.get(key, {}).items() if name not in VOLATILE
        }
        result[(r.object_type, r.external_id)] = (
            properties,
            sorted(targets.get(key, [])),
            errors.get((r.object_type, r.external_id)),
        )
    return result


def sync_into_other_portal(
    client: TestClient,
    db: Database,
    app: InstalledApp,
    shop: Shop,
    store: str,
    run_jobs: RunJobs,
) -> tuple[Snapshot, str]:
    """The same records as sync messages, with the same app's token in a new portal: v2 batches
    into ``store``, or v1 bare arrays (into the default store) when ``store`` is "default"."""
    portal_id, token = install_in(db, app)
    if store != "default":
        body = {"id": store, "label": "Shop"}
        assert client.put(f"{V2}/stores", json=body, headers=bearer(token)).status_code == 200
    for object_type in ORDER:
        records = shop.of(object_type)
        for i in range(0, len(records), 200):
            chunk = records[i : i + 200]
            if store == "default":
                response = client.put(
                    f"{V1}/sync-messages/{object_type}",
                    json=[r.v1(1_600_000_000_000) for r in chunk],
                    headers=bearer(token),
                )
            else:
                batch = {
                    "storeId": store,
                    "objectType": object_type,
                    "messages": [r.v2(1_600_000_000_000) for r in chunk],
                }
                response = client.put(f"{V2}/sync/messages", json=batch, headers=bearer(token))
            assert response.status_code == 204, response.text
        run_jobs()
    return snapshot(db, portal_id, app.app_id, store), token


def configure(
    client: TestClient, app: InstalledApp, *, webhook: str | None, trigger: str | None
) -> None:
    """The app's settings: v2 mappings and webhookUri, or (with ``trigger``) v1 settings with
    ``hs_assoc__*`` mappings and the v1 importTriggerUri."""
    query: dict[str, str | int] = {"appId": app.app_id, "hapikey": app.developer_api_key}
    if trigger is None:
        settings = {"enabled": True, "webhookUri": webhook, "mappings": shop_mappings()}
        assert client.put(f"{V2}/settings", params=query, json=settings).status_code == 200
    else:
        response = client.put(f"{V1}/settings", params=query, json=v1_shop_settings())
        assert response.status_code == 200
        body = {"importTriggerUri": trigger}
        assert client.put(f"{V1}/import-settings", params=query, json=body).status_code == 200


class Progress:
    def __init__(self, client: TestClient, token: str, store: str, started_at: int) -> None:
        self.client, self.token, self.store, self.started_at = client, token, store, started_at

    def get(self) -> dict[str, Any]:
        response = self.client.get(
            f"{V2}/imports/{self.store}/{self.started_at}", headers=bearer(self.token)
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def start(
    client: TestClient, token: str, store: str, run_jobs: RunJobs, integrator: Integrator
) -> Progress:
    started = client.post(f"{V2}/imports/start", json={"storeId": store}, headers=bearer(token))
    assert started.status_code == 202, started.text
    progress = Progress(client, token, store, started.json()["importStartedAt"])
    awaiting = progress.get()
    assert awaiting["state"] == "AWAITING_COUNTS"
    assert {k: v["announced"] for k, v in awaiting["objectTypes"].items()} == dict.fromkeys(ORDER)
    run_jobs()  # the import webhook
    assert len(integrator.received) == 1
    webhook = integrator.received[0]
    assert webhook.v3_valid and webhook.v1_valid
    assert webhook.body["importStartedAt"] == progress.started_at
    receiving = progress.get()
    assert receiving["state"] == "RECEIVING"
    assert {k: v["announced"] for k, v in receiving["objectTypes"].items()} == SIZES
    return progress


def finish(progress: Progress, run_jobs: RunJobs) -> None:
    processing = progress.get()
    assert processing["state"] == "PROCESSING"
    assert processing["totals"] == {
        "announced": sum(SIZES.values()),
        "received": sum(SIZES.values()),
        "applied": 0,
    }
    run_jobs()
    complete = progress.get()
    assert complete["state"] == "COMPLETE"
    for object_type, counts in complete["objectTypes"].items():
        assert counts["applied"] == counts["announced"] == SIZES[object_type], object_type
        assert counts["ended"] is True
    assert complete["totals"]["applied"] == sum(SIZES.values())


def test_v2_import_equals_syncing_the_same_records(
    client: TestClient,
    db: Database,
    installed_app: InstalledApp,
    integrator: Integrator,
    shop: Shop,
    run_jobs: RunJobs,
    live_server: LiveServer,
) -> None:
    configure(client, installed_app, webhook=integrator.url, trigger=None)
    token = installed_app.access_token
    assert (
        client.put(
            f"{V2}/stores", json={"id": "shop", "label": "Shop"}, headers=bearer(token)
        ).status_code
        == 200
    )
    progress = start(client, token, "shop", run_jobs, integrator)

    for object_type in ORDER:
        records = shop.of(object_type)
        pages = [records[i : i + 200] for i in range(0, len(records), 200)]
        for number, page in enumerate(pages):
            body = {
                "storeId": "shop",
                "importStartedAt": progress.started_at,
                "objectType": object_type,
                "pageNumber": number,
                "messages": [r.import_message() for r in page],
            }
            response = client.post(f"{V2}/imports/page", json=body, headers=bearer(token))
            assert (response.status_code, response.content) == (204, b""), response.text
        receiving = progress.get()
        assert receiving["state"] == "RECEIVING"
        assert receiving["objectTypes"][object_type]["receivedItems"] == len(records)
        assert receiving["objectTypes"][object_type]["receivedPages"] == len(pages)
        end = {
            "storeId": "shop",
            "importStartedAt": progress.started_at,
            "objectType": object_type,
            "pageCount": len(pages),
            "itemCount": len(records),
        }
        response = client.post(f"{V2}/imports/end", json=end, headers=bearer(token))
        assert (response.status_code, response.content) == (204, b"")
        if object_type == "PRODUCT":
            again = client.post(f"{V2}/imports/end", json=end, headers=bearer(token))
            assert again.status_code == 409
            assert_error_shape(again.json(), 409)
    finish(progress, run_jobs)

    imported = snapshot(db, installed_app.portal_id, installed_app.app_id, "shop")
    synced, other_token = sync_into_other_portal(client, db, installed_app, shop, "shop", run_jobs)
    assert_same(imported, synced, shop)
    listed = listed_errors(client, token)
    assert listed == listed_errors(client, other_token)
    assert len(listed) > 200  # more than one page
    # hubspot3 pages with page += limit: every error exactly once.
    hubspot3 = EcommerceBridgeClient(access_token=token, api_base=live_server.url)
    errors = hubspot3.get_sync_errors_for_app_and_account()
    developer = EcommerceBridgeClient(
        api_key=installed_app.developer_api_key, api_base=live_server.url
    )
    across = developer.get_sync_errors_for_app(installed_app.app_id)  # both portals
    assert len(across) == 2 * len(listed)
    portals = {e["portalId"] for e in across}
    assert len(portals) == 2 and installed_app.portal_id in portals
    assert (
        sorted((e["objectType"], e["externalObjectId"], e["type"], e["status"]) for e in errors)
        == listed
    )


def test_v1_import_equals_syncing_the_same_records(
    client: TestClient,
    db: Database,
    installed_app: InstalledApp,
    integrator: Integrator,
    shop: Shop,
    run_jobs: RunJobs,
) -> None:
    configure(client, installed_app, webhook=None, trigger=integrator.url)
    token = installed_app.access_token
    progress = start(client, token, "default", run_jobs, integrator)
    assert "storeId" not in integrator.received[0].body

    for object_type in ORDER:
        records = shop.of(object_type)
        pages = [records[i : i + 500] for i in range(0, len(records), 500)]
        prefix = "" if object_type in ("CONTACT", "LINE_ITEM") else V1
        for number, page in enumerate(pages, start=1):
            body = [
                {
                    "integratorObjectId": m["integratorObjectId"],
                    "propertyNameToValues": m["propertyNameToValues"],
                }
                for m in (r.v1() for r in page)
            ]
            response = client.put(
                # hubspot-php's v1 client drops the prefix; other clients keep it.
                f"{prefix}/import-pages/{progress.started_at}/{object_type}/{number}",
                json=body,
                headers=bearer(token),
            )
            assert (response.status_code, response.content) == (204, b""), response.text
        stored = client.get(
            f"{V1}/import-pages/{progress.started_at}/{object_type}/{len(pages)}",
            headers=bearer(token),
        )
        assert (stored.status_code, stored.json()) == (200, body)  # the last page as sent
        assert progress.get()["objectTypes"][object_type]["receivedItems"] == len(records)
        end = {"pageCount": len(pages), "itemCount": len(records)}
        # hubspot-php's v1 client drops the /extensions/ecomm/v1 prefix for the end call.
        response = client.put(
            f"/import-pages/{progress.started_at}/{object_type}/end",
            json=end,
            headers=bearer(token),
        )
        assert (response.status_code, response.content) == (204, b"")
    finish(progress, run_jobs)

    imported = snapshot(db, installed_app.portal_id, installed_app.app_id, "default")
    synced, other_token = sync_into_other_portal(
        client, db, installed_app, shop, "default", run_jobs
    )
    assert_same(imported, synced, shop)
    assert listed_errors(client, token) == listed_errors(client, other_token)


def assert_same(imported: Snapshot, synced: Snapshot, shop: Shop) -> None:
    assert len(imported) == sum(SIZES.values())
    assert imported.keys() == synced.keys()
    different = [key for key in imported if imported[key] != synced[key]]
    assert different == [], (different[:3], [(imported[k], synced[k]) for k in different[:3]])
    error_types = sorted({error for _, _, error in imported.values() if error})
    assert error_types == [
        "INVALID_ASSOCIATION_PROPERTY",
        "INVALID_DEAL_STAGE",
        "INVALID_EMAIL_ADDRESS",
        "INVALID_ENUM_PROPERTY",
        "MISSING_REQUIRED_PROPERTY",
    ]
    line = imported[("LINE_ITEM", shop.line_items[0].external_id)]
    assert line[1] == [("DEAL", "d-0"), ("PRODUCT", "p-0")]
    assert line[0]["quantity"] == 1


def listed_errors(client: TestClient, token: str) -> list[tuple[str, str, str, str]]:
    """The app's open errors in a portal as the v2 listing pages them (offset, limit 200)."""
    found: list[tuple[str, str, str, str]] = []
    while True:
        page = client.get(
            f"{V2}/sync/errors", params={"limit": 200, "offset": len(found)}, headers=bearer(token)
        )
        assert page.status_code == 200, page.text
        results = page.json()["results"]
        found.extend(
            (e["objectType"], e["externalObjectId"], e["type"], e["status"]) for e in results
        )
        if "paging" not in page.json():
            break
    assert len(found) == len(set(found))
    return sorted(found)


@pytest.mark.usefixtures("allow_private_webhooks")
def test_data_synced_after_the_import_started_wins_over_imported_values(
    client: TestClient, db: Database, installed_app: InstalledApp, run_jobs: RunJobs
) -> None:
    token = installed_app.access_token
    for integrator in serve(Integrator(installed_app.client_secret, [counts_reply(0, 2, 0, 0)])):
        configure(client, installed_app, webhook=integrator.url, trigger=None)
        assert (
            client.put(
                f"{V2}/stores", json={"id": "shop", "label": "Shop"}, headers=bearer(token)
            ).status_code
            == 200
        )
        started = client.post(
            f"{V2}/imports/start", json={"storeId": "shop"}, headers=bearer(token)
        )
        started_at = started.json()["importStartedAt"]
        run_jobs()
        synced = {
            "storeId": "shop",
            "objectType": "CONTACT",
            "messages": [
                {
                    "action": "UPSERT",
                    "changedAt": started_at + 1,
                    "externalObjectId": "c-1",
                    "properties": {"email": "one@example.com", "first_name": "Synced"},
                }
            ],
        }
        assert (
            client.put(f"{V2}/sync/messages", json=synced, headers=bearer(token)).status_code == 204
        )
        run_jobs()
        page = {
            "storeId": "shop",
            "importStartedAt": started_at,
            "objectType": "CONTACT",
            "messages": [
                {"externalObjectId": "c-1", "properties": {"email": "one@example.com",
                 "first_name": "Imported", "last_name": "Only-imported"}},
                {"externalObjectId": "c-2", "properties": {"email": "two@example.com",
                 "first_name": "Two"}},
            ],
        }  # fmt: skip
        assert (
            client.post(f"{V2}/imports/page", json=page, headers=bearer(token)).status_code == 204
        )
        for object_type, count in (("PRODUCT", 0), ("CONTACT", 2), ("DEAL", 0), ("LINE_ITEM", 0)):
            end = {
                "storeId": "shop",
                "importStartedAt": started_at,
                "objectType": object_type,
                "pageCount": 1 if count else 0,
                "itemCount": count,
            }
            assert (
                client.post(f"{V2}/imports/end", json=end, headers=bearer(token)).status_code == 204
            )
        run_jobs()
        progress = client.get(f"{V2}/imports/shop/{started_at}", headers=bearer(token)).json()
        assert progress["state"] == "COMPLETE"

    portal_token = make_private_app_token(db, installed_app.portal_id)
    found = {}
    for external_id in ("c-1", "c-2"):
        status = client.get(f"{V2}/sync/status/shop/CONTACT/{external_id}", headers=bearer(token))
        contact = client.get(
            f"/crm/v3/objects/contacts/{status.json()['hubspotId']}",
            params={"properties": "firstname,lastname"},
            headers=bearer(portal_token),
        )
        assert contact.status_code == 200, contact.text
        found[external_id] = contact.json()["properties"]
    assert (found["c-1"]["firstname"], found["c-1"]["lastname"]) == ("Synced", "Only-imported")
    assert found["c-2"]["firstname"] == "Two"
