"""Sync engine end to end: a shop's customers, products, orders and order lines, with line items
arriving before their orders, updates out of order, deletes and invalid messages, are synced
through hubspot3 (v2, portal key) and through mitxpro/edX's raw v1 requests, applied by the
worker, and then read back through the sync status and sync error endpoints and through the
official hubspot-api-client's CRM v3/v4 API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import httpx
import pytest
from hubspot import HubSpot
from hubspot.crm.objects import Filter, FilterGroup, PublicObjectSearchRequest
from hubspot3.ecommerce_bridge import EcommerceBridgeClient

from ecombridge.db.engine import Database
from tests.acceptance.support import (
    HUBSPOT_NAMES,
    JSON,
    T0,
    V1,
    V2,
    Record,
    Shop,
    assert_error_shape,
    make_shop,
    shop_mappings,
    v1_shop_settings,
)
from tests.support.factories import InstalledApp, Portal, make_private_app_token
from tests.support.jobs import RunJobs
from tests.support.live import LiveServer

CRM_TYPES = {
    "CONTACT": "contacts",
    "PRODUCT": "products",
    "DEAL": "deals",
    "LINE_ITEM": "line_items",
}
Send = Callable[[str, list[tuple[Record, int, str]]], None]


class Channel:
    """How an integration sends messages and reads statuses: v2 through hubspot3 into a store,
    or v1 raw (bare arrays, trailing slashes, ``hs_assoc__*``) into the default store."""

    def __init__(self, version: str, live: LiveServer, portal: Portal) -> None:
        self.version = version
        self.key = portal.api_key
        self.store = "shop" if version == "v2" else "default"
        self.http = httpx.Client(base_url=live.url, headers=JSON)
        self.hubspot3 = EcommerceBridgeClient(api_key=portal.api_key, api_base=live.url)

    def set_up(self) -> None:
        if self.version == "v2":
            self.hubspot3.create_or_update_settings(shop_mappings())
            self.hubspot3.create_or_update_store(self.store, "Shop")
            return
        assert self.http.post(f"{V1}/installs/?hapikey={self.key}").status_code == 204
        settings = self.http.put(f"{V1}/settings/?hapikey={self.key}", json=v1_shop_settings())
        assert settings.status_code == 200

    def send(self, object_type: str, batch: list[tuple[Record, int, str]]) -> None:
        if self.version == "v2":
            messages = [record.v2(at, action) for record, at, action in batch]
            self.hubspot3.send_sync_messages(object_type, messages, store_id=self.store)
            return
        body = [record.v1(at, action) for record, at, action in batch]
        url = f"{V1}/sync-messages/{object_type}/?hapikey={self.key}"
        response = self.http.put(url, json=body)
        assert (response.status_code, response.content) == (204, b"")

    def status(self, object_type: str, external_id: str) -> httpx.Response:
        path = f"{V2}/sync/status/{self.store}/{object_type}/{external_id}"
        return self.http.get(path, params={"hapikey": self.key})

    def v1_status(self, object_type: str, external_id: str) -> httpx.Response:
        return self.http.get(f"{V1}/sync-status/{object_type}/{external_id}/?hapikey={self.key}")


BAD_EMAIL = Record("CONTACT", "c-bad-email", {"email": "not-an-email", "first_name": "Bad"})
NO_EMAIL = Record("CONTACT", "c-no-email", {"first_name": "Nomail"})
BAD_STAGE = Record(
    "DEAL", "d-bad-stage", {"name": "Lost", "stage": "lost-in-space", "total": 1}, {}
)
BAD_ENUM = Record("DEAL", "d-bad-kind", {"name": "Barter", "stage": "processed", "kind": "barter"})


def sync_the_shop(channel: Channel, shop: Shop, run_jobs: RunJobs) -> None:
    """Send the shop in an unfriendly order, draining the queue after each step."""
    upsert = [(r, T0, "UPSERT") for r in shop.line_items]
    channel.send("LINE_ITEM", upsert)  # before their deals and products exist
    run_jobs()
    newer = {**shop.contacts[1].properties, "first_name": "Updated"}  # full record, as shops send
    newer_contact = replace(shop.contacts[1], properties=newer)
    channel.send("CONTACT", [(newer_contact, T0 + 20, "UPSERT")])
    run_jobs()
    contacts = [(r, T0, "UPSERT") for r in [*shop.contacts, BAD_EMAIL, NO_EMAIL]]
    channel.send("CONTACT", contacts)  # older than the update above: it must not win
    channel.send("PRODUCT", [(r, T0, "UPSERT") for r in shop.products])
    run_jobs()
    newer_deal = replace(shop.deals[2], properties={"total": 999})
    channel.send("DEAL", [(newer_deal, T0 + 10, "UPSERT")])
    channel.send("DEAL", [(r, T0, "UPSERT") for r in [*shop.deals, BAD_STAGE, BAD_ENUM]])
    run_jobs()
    revived = replace(shop.products[5], properties={"title": "Revived"})
    channel.send("PRODUCT", [(shop.products[5], T0 + 30, "DELETE")])
    channel.send("PRODUCT", [(revived, T0 + 40, "UPSERT")])  # ignored after the DELETE
    channel.send("CONTACT", [(shop.contacts[7], T0 + 30, "DELETE")])
    run_jobs()
    fixed = replace(NO_EMAIL, properties={**NO_EMAIL.properties, "email": "nomail@example.com"})
    channel.send("CONTACT", [(fixed, T0 + 50, "UPSERT")])
    run_jobs()


OPEN_ERRORS = {
    ("CONTACT", "c-bad-email"): "INVALID_EMAIL_ADDRESS",
    ("DEAL", "d-bad-stage"): "INVALID_DEAL_STAGE",
    ("DEAL", "d-bad-kind"): "INVALID_ENUM_PROPERTY",
    ("PRODUCT", "p-5"): "UNKNOWN_ERROR",
}


@pytest.fixture(params=["v2", "v1"])
def channel(
    request: pytest.FixtureRequest, live_server: LiveServer, portal: Portal
) -> Iterator[Channel]:
    channel = Channel(request.param, live_server, portal)
    channel.set_up()
    yield channel
    channel.http.close()


@pytest.fixture
def shop() -> Shop:
    return make_shop(6, 8, 6, 12, invalid=False)


def hubspot_ids(channel: Channel, shop: Shop) -> dict[tuple[str, str], int]:
    ids = {}
    for object_type in CRM_TYPES:
        for record in shop.of(object_type):
            response = channel.status(object_type, record.external_id)
            assert response.status_code == 200, response.text
            ids[(object_type, record.external_id)] = response.json()["hubspotId"]
    return ids


def test_statuses_errors_and_crm_objects_after_syncing_a_shop(
    channel: Channel,
    shop: Shop,
    run_jobs: RunJobs,
    live_server: LiveServer,
    db: Database,
    portal: Portal,
) -> None:
    sync_the_shop(channel, shop, run_jobs)
    ids = hubspot_ids(channel, shop)
    api = HubSpot(access_token=make_private_app_token(db, portal.id), host=live_server.url)

    # Statuses: valid objects have a CRM id; failed ones lastProcessedAt == erroredAt.
    assert all(isinstance(i, int) for i in ids.values())
    for (object_type, external_id), error_type in OPEN_ERRORS.items():
        status = channel.status(object_type, external_id).json()
        assert set(status) == {
            "storeId",
            "objectType",
            "externalObjectId",
            "hubspotId",
            "lastProcessedAt",
            "errors",
        }
        assert [e["type"] for e in status["errors"]] == [error_type]
        assert status["errors"][0]["status"] == "OPEN"
        assert status["lastProcessedAt"] == status["errors"][0]["erroredAt"]
    fixed = channel.status("CONTACT", "c-no-email").json()
    assert [(e["type"], e["status"]) for e in fixed["errors"]] == [
        ("MISSING_REQUIRED_PROPERTY", "RESOLVED")
    ]
    assert fixed["lastProcessedAt"] > fixed["errors"][0]["erroredAt"]
    for record in shop.line_items:  # arrived before their deals and products
        line = channel.status("LINE_ITEM", record.external_id).json()
        assert [(e["type"], e["status"]) for e in line["errors"]] == [
            ("INVALID_ASSOCIATION_PROPERTY", "RESOLVED")
        ]
        assert line["lastProcessedAt"] > line["errors"][0]["erroredAt"]
    never = channel.status("CONTACT", "c-never-sent")
    assert never.status_code == 400
    assert_error_shape(never.json(), 400)

    # Errors through hubspot3: each once, newest first; resolved ones only on request.
    errors = channel.hubspot3.get_sync_errors_for_account()
    assert {(e["objectType"], e["externalObjectId"]): e["type"] for e in errors} == OPEN_ERRORS
    assert len(errors) == len(OPEN_ERRORS)
    assert [e["erroredAt"] for e in errors] == sorted(
        (e["erroredAt"] for e in errors), reverse=True
    )
    paged = [
        error
        for page in (1, 3, 5)
        for error in channel.hubspot3.get_sync_errors_for_account(limit=2, starting_page=page)
    ]
    assert paged == errors
    everything = channel.hubspot3.get_sync_errors_for_account(include_resolved=True)
    resolved = {
        (e["objectType"], e["externalObjectId"]): e["type"]
        for e in everything
        if e["status"] == "RESOLVED"
    }
    assert resolved == {
        ("CONTACT", "c-no-email"): "MISSING_REQUIRED_PROPERTY",
        **{("LINE_ITEM", r.external_id): "INVALID_ASSOCIATION_PROPERTY" for r in shop.line_items},
    }
    assert [e for e in everything if e["status"] == "OPEN"] == errors
    deals = channel.hubspot3.get_sync_errors_for_account(object_type="DEAL")
    assert [e for e in errors if e["objectType"] == "DEAL"] == deals
    stage = channel.hubspot3.get_sync_errors_for_account(error_type="INVALID_DEAL_STAGE")
    assert [e["externalObjectId"] for e in stage] == ["d-bad-stage"]
    resolved_lines = channel.hubspot3.get_sync_errors_for_account(
        include_resolved=True, object_type="LINE_ITEM", error_type="INVALID_ASSOCIATION_PROPERTY"
    )
    assert len(resolved_lines) == len(shop.line_items)

    # CRM objects through hubspot-api-client.
    contacts = {
        o.id: o.properties
        for o in api.crm.objects.get_all("contacts", properties=["email", "firstname"])
    }
    assert contacts[str(ids[("CONTACT", "c-1")])]["firstname"] == "Updated"
    assert sorted(p["email"] for p in contacts.values()) == sorted(
        [str(r.properties["email"]) for r in shop.contacts] + ["nomail@example.com"]
    )
    for record in shop.contacts[2:]:
        props = contacts[str(ids[("CONTACT", record.external_id)])]
        assert props["firstname"] == record.properties["first_name"]
    products = {
        o.id: o.properties for o in api.crm.objects.get_all("products", properties=["name"])
    }
    assert products[str(ids[("PRODUCT", "p-5")])]["name"] == "Product 5"  # deleted: not revived
    assert len(products) == len(shop.products)
    deals = {
        o.id: o.properties
        for o in api.crm.objects.get_all("deals", properties=["dealname", "amount", "dealstage"])
    }
    assert len(deals) == len(shop.deals)
    assert deals[str(ids[("DEAL", "d-2")])]["amount"] == "999"
    for record in shop.deals:
        props = deals[str(ids[("DEAL", record.external_id)])]
        assert props["dealname"] == record.properties["name"]
        assert props["dealstage"] == record.properties["stage"]

    search = PublicObjectSearchRequest(
        filter_groups=[
            FilterGroup(filters=[Filter(property_name="dealstage", operator="EQ", value="shipped")])
        ],
        properties=["dealname"],
        limit=100,
    )
    found = api.crm.objects.search_api.do_search("deals", public_object_search_request=search)
    shipped = [r for r in shop.deals if r.properties["stage"] == "shipped"]
    assert found.total == len(shipped)
    assert {o.properties["dealname"] for o in found.results} == {
        str(r.properties["name"]) for r in shipped
    }

    # Search paging: amounts between 11 and 999, largest first, two per page.
    by_amount = PublicObjectSearchRequest(
        filter_groups=[
            FilterGroup(
                filters=[
                    Filter(property_name="amount", operator="BETWEEN", value="11", high_value="999")
                ]
            )
        ],
        sorts=[{"propertyName": "amount", "direction": "DESCENDING"}],
        properties=["amount"],
        limit=2,
    )
    amounts: list[str] = []
    while True:
        page = api.crm.objects.search_api.do_search("deals", public_object_search_request=by_amount)
        amounts.extend(o.properties["amount"] for o in page.results)
        if page.paging is None:
            break
        by_amount.after = page.paging.next.after
    expected_amounts = sorted(
        (999 if r.external_id == "d-2" else int(r.properties["total"]) for r in shop.deals),
        reverse=True,
    )
    assert amounts == [str(a) for a in expected_amounts if 11 <= a <= 999]

    # Associations: line item -> deal and product, deal -> contact (v3 and v4).
    lines = api.crm.objects.get_all(
        "line_items", properties=["hs_product_id", "quantity"], associations=["deals", "products"]
    )
    assert len(lines) == len(shop.line_items)
    by_id = {o.id: o for o in lines}
    for record in shop.line_items:
        line = by_id[str(ids[("LINE_ITEM", record.external_id)])]
        deal_id = ids[("DEAL", record.associations["DEAL"][0])]
        product_id = ids[("PRODUCT", record.associations["PRODUCT"][0])]
        assert [a.id for a in line.associations["deals"].results] == [str(deal_id)]
        assert [a.id for a in line.associations["products"].results] == [str(product_id)]
        assert line.properties["hs_product_id"] == str(product_id)
        assert line.properties["quantity"] == str(record.properties["quantity"])
        v4 = api.crm.associations.v4.basic_api.get_page("line_items", line.id, "deals")
        assert [a.to_object_id for a in v4.results] == [str(deal_id)]
    for record in shop.deals:
        deal_id = ids[("DEAL", record.external_id)]
        contact_id = ids[("CONTACT", record.associations["CONTACT"][0])]
        v4 = api.crm.associations.v4.basic_api.get_page("deals", str(deal_id), "contacts")
        assert [a.to_object_id for a in v4.results] == [str(contact_id)]
        assert [t.type_id for t in v4.results[0].association_types] == [3]


def test_v1_statuses_and_errors_after_syncing_a_shop(
    request: pytest.FixtureRequest,
    live_server: LiveServer,
    portal: Portal,
    shop: Shop,
    run_jobs: RunJobs,
) -> None:
    channel = Channel("v1", live_server, portal)
    channel.set_up()
    request.addfinalizer(channel.http.close)
    sync_the_shop(channel, shop, run_jobs)

    for record in shop.contacts:
        status = channel.v1_status("CONTACT", record.external_id)
        assert status.status_code == 200
        assert set(status.json()) == {
            "externalObjectId",
            "lastProcessedAt",
            "numErrors",
            "hubspotId",
            "objectType",
        }
        assert status.json()["numErrors"] == 0
    listing = channel.http.get(f"{V1}/sync-errors/?hapikey={channel.key}&limit=200&offset=0")
    assert listing.status_code == 200
    results = listing.json()["results"]
    assert {(e["objectType"], e["integratorObjectId"]): e["type"] for e in results} == OPEN_ERRORS
    stamps = [e["errorTimestamp"] for e in results]
    assert stamps == sorted(stamps, reverse=True)
    # mitxpro's loop: limit/offset pages (no trailing slash) until an empty results list.
    paged: list[dict[str, object]] = []
    while True:
        page = channel.http.get(
            f"{V1}/sync-errors?limit=3&offset={len(paged)}&hapikey={channel.key}"
        ).json()["results"]
        if not page:
            break
        paged.extend(page)
    assert paged == results
    for (object_type, external_id), _ in OPEN_ERRORS.items():
        status = channel.v1_status(object_type, external_id).json()
        one = channel.http.get(
            f"{V1}/sync-errors/object/{object_type}/{external_id}?hapikey={channel.key}"
        ).json()
        assert status["numErrors"] == 1
        assert status["lastProcessedAt"] == one["errorTimestamp"]
    unknown = channel.v1_status("CONTACT", "c-never-sent")
    assert unknown.status_code == 400
    assert_error_shape(unknown.json(), 400)
    with_resolved = channel.http.get(
        f"{V1}/sync-errors/?hapikey={channel.key}&showResolvedErrors=true"
    ).json()["results"]
    line_errors = [e for e in with_resolved if e["objectType"] == "LINE_ITEM"]
    assert len(line_errors) == len(shop.line_items)
    assert all(e["status"] == "RESOLVED" for e in line_errors)
    # mitxpro parses the missing deal out of the details with \[hs_assoc__deal_id: (.+)\]
    assert all("[hs_assoc__deal_id: d-" in e["details"] for e in line_errors)


def test_v1_and_v2_settings_map_the_same_properties() -> None:
    """The scenario relies on both channels writing the same HubSpot properties."""
    v1 = v1_shop_settings()
    for object_type, key in [
        ("CONTACT", "contactSyncSettings"),
        ("PRODUCT", "productSyncSettings"),
        ("DEAL", "dealSyncSettings"),
        ("LINE_ITEM", "lineItemSyncSettings"),
    ]:
        names = {
            p["propertyName"]: p["targetHubspotProperty"]
            for p in v1[key]["properties"]
            if not p["targetHubspotProperty"].startswith("hs_assoc__")
        }
        assert names == HUBSPOT_NAMES[object_type]


def test_an_oauth_app_through_hubspot3_with_hubwoo_style_ids(
    live_server: LiveServer, installed_app: InstalledApp, run_jobs: RunJobs
) -> None:
    """hubwoo's shapes: e-mails as contact ids, integer ids, "<secs>000" string timestamps; the
    app's token through hubspot3 (Bearer, bare ``?``), errors by app and by app in the portal."""
    developer = EcommerceBridgeClient(
        api_key=installed_app.developer_api_key, api_base=live_server.url
    )
    developer.create_or_update_settings(shop_mappings(), app_id=installed_app.app_id)
    app = EcommerceBridgeClient(access_token=installed_app.access_token, api_base=live_server.url)
    app.create_or_update_store("woo-1", "Woo", "https://woo.example/wp-admin")
    at = "1600000000000"
    app.send_sync_messages(
        "CONTACT",
        [
            {
                "action": "UPSERT",
                "changedAt": at,
                "externalObjectId": "jane+shop@example.com",
                "properties": {"email": "jane+shop@example.com", "first_name": "Jane"},
            },
            {
                "action": "UPSERT",
                "changedAt": at,
                "externalObjectId": "broken@",
                "properties": {"email": "broken@"},
            },
        ],
        store_id="woo-1",
    )
    app.send_sync_messages(
        "PRODUCT",
        [
            {
                "action": "UPSERT",
                "changedAt": at,
                "externalObjectId": 17,
                "properties": {"title": "Mug", "price": "12.50"},
            }
        ],
        store_id="woo-1",
    )
    app.send_sync_messages(
        "DEAL",
        [
            {
                "action": "UPSERT",
                "changedAt": at,
                "externalObjectId": 1001,
                "properties": {"name": "#1001", "stage": "processed", "total": "25"},
                "associations": {"CONTACT": ["jane+shop@example.com"]},
            }
        ],
        store_id="woo-1",
    )
    app.send_sync_messages(
        "LINE_ITEM",
        [
            {
                "action": "UPSERT",
                "changedAt": at,
                "externalObjectId": 5001,
                "properties": {"name": "Mug", "quantity": 2, "price": 12.5},
                "associations": {"DEAL": [1001], "PRODUCT": [17]},
            }
        ],
        store_id="woo-1",
    )
    run_jobs()

    contact = app.check_sync_status_for_object("CONTACT", "jane+shop@example.com", "woo-1")
    line = app.check_sync_status_for_object("LINE_ITEM", "5001", "woo-1")
    assert (contact["externalObjectId"], contact["errors"]) == ("jane+shop@example.com", [])
    assert isinstance(contact["hubspotId"], int)
    assert (line["externalObjectId"], line["errors"]) == ("5001", [])
    in_portal = app.get_sync_errors_for_app_and_account()
    across_portals = developer.get_sync_errors_for_app(installed_app.app_id)
    expected = [("broken@", "INVALID_EMAIL_ADDRESS", "woo-1", installed_app.portal_id)]
    for errors in (in_portal, across_portals):
        assert [
            (e["externalObjectId"], e["type"], e["storeId"], e["portalId"]) for e in errors
        ] == expected
