"""The bridge as `ecombridge serve` runs it: in-process workers apply what hubspot3 sends, with
nobody draining the queue by hand; a client polling the sync status sees every object applied,
and the CRM API shows associations in both directions."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from hubspot import HubSpot
from hubspot3.ecommerce_bridge import EcommerceBridgeClient

from ecombridge.api.app import create_app
from ecombridge.config import Config
from ecombridge.db.engine import Database
from tests.acceptance.support import T0, V2, make_shop, shop_mappings
from tests.support.factories import Portal, make_private_app_token
from tests.support.jobs import RunJobs
from tests.support.live import LiveServer


@pytest.fixture
def served(config: Config, db: Database) -> Iterator[LiveServer]:
    app = create_app(config, db)
    app.state.worker_count = 2
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


def wait_for_status(http: httpx.Client, path: str, timeout_s: float = 20.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    while True:
        response = http.get(path)
        if response.status_code == 200:
            body: dict[str, object] = response.json()
            return body
        assert response.status_code == 400, response.text  # not processed yet
        assert time.monotonic() < deadline, f"{path} was never processed"
        time.sleep(0.05)


def test_in_process_workers_apply_a_shop(served: LiveServer, db: Database, portal: Portal) -> None:
    shop = make_shop(20, 30, 30, 60, invalid=False)
    bridge = EcommerceBridgeClient(api_key=portal.api_key, api_base=served.url)
    bridge.create_or_update_settings(shop_mappings())
    bridge.create_or_update_store("shop", "Shop")

    ids: dict[tuple[str, str], int] = {}
    with httpx.Client(base_url=served.url, params={"hapikey": portal.api_key}) as http:
        for object_type in ("PRODUCT", "CONTACT", "DEAL", "LINE_ITEM"):
            messages = [r.v2(T0) for r in shop.of(object_type)]
            bridge.send_sync_messages(object_type, messages, store_id="shop")
            for record in shop.of(object_type):
                path = f"{V2}/sync/status/shop/{object_type}/{record.external_id}"
                status = wait_for_status(http, path)
                assert isinstance(status["hubspotId"], int)
                assert status["errors"] == []
                ids[(object_type, record.external_id)] = status["hubspotId"]
        swapped = http.get(f"{V2}/sync/status/LINE_ITEM/shop/l-0")  # S1's path order
        assert swapped.status_code == 200
        assert swapped.json()["hubspotId"] == ids[("LINE_ITEM", "l-0")]
    assert bridge.get_sync_errors_for_account(include_resolved=True) == []

    api = HubSpot(access_token=make_private_app_token(db, portal.id), host=served.url)
    v4 = api.crm.associations.v4.basic_api
    contact = shop.deals[0].associations["CONTACT"][0]
    deals_of_contact = {
        int(a.to_object_id)
        for a in v4.get_page("contacts", str(ids[("CONTACT", contact)]), "deals").results
    }
    assert deals_of_contact == {
        ids[("DEAL", d.external_id)] for d in shop.deals if d.associations["CONTACT"] == [contact]
    }
    product = "p-0"
    lines_of_product = v4.get_page("products", str(ids[("PRODUCT", product)]), "line_items")
    assert {int(a.to_object_id) for a in lines_of_product.results} == {
        ids[("LINE_ITEM", r.external_id)]
        for r in shop.line_items
        if r.associations["PRODUCT"] == [product]
    }
    assert {t.type_id for a in lines_of_product.results for t in a.association_types} == {2002}
    deal = shop.deals[0]
    lines_of_deal = v4.get_page("deals", str(ids[("DEAL", deal.external_id)]), "line_items")
    assert {int(a.to_object_id) for a in lines_of_deal.results} == {
        ids[("LINE_ITEM", r.external_id)]
        for r in shop.line_items
        if r.associations["DEAL"] == [deal.external_id]
    }
    assert {t.type_id for a in lines_of_deal.results for t in a.association_types} == {19}


def test_two_stores_sending_the_same_customers_at_once_share_contacts(
    served: LiveServer, db: Database, portal: Portal
) -> None:
    """Concurrent batches creating the same e-mails (two workers; on PostgreSQL they race on the
    unique e-mail index): one contact per e-mail, listing both stores."""
    bridge = EcommerceBridgeClient(api_key=portal.api_key, api_base=served.url)
    bridge.create_or_update_settings(shop_mappings())
    stores = ("north", "south")
    for store in stores:
        bridge.create_or_update_store(store, store.title())
    customers = make_shop(0, 120, 0, 0, invalid=False).contacts
    for start in range(0, len(customers), 20):
        for store in stores:
            chunk = customers[start : start + 20]
            bridge.send_sync_messages("CONTACT", [r.v2(T0) for r in chunk], store_id=store)

    with httpx.Client(base_url=served.url, params={"hapikey": portal.api_key}) as http:
        ids = {
            store: {
                r.external_id: wait_for_status(
                    http, f"{V2}/sync/status/{store}/CONTACT/{r.external_id}"
                )
                for r in customers
            }
            for store in stores
        }
    for record in customers:
        north, south = ids["north"][record.external_id], ids["south"][record.external_id]
        assert north["errors"] == [] and south["errors"] == []
        assert north["hubspotId"] == south["hubspotId"]
    api = HubSpot(access_token=make_private_app_token(db, portal.id), host=served.url)
    contacts = api.crm.objects.get_all(
        "contacts", properties=["email", "ip__ecomm_bridge__source_store_id"]
    )
    assert len(contacts) == len(customers)
    assert {c.properties["email"] for c in contacts} == {r.properties["email"] for r in customers}


def test_a_contact_of_two_stores_and_two_sources_lists_them_the_hubspot_way(
    live_server: LiveServer, db: Database, portal: Portal, run_jobs: RunJobs
) -> None:
    bridge = EcommerceBridgeClient(api_key=portal.api_key, api_base=live_server.url)
    bridge.create_or_update_settings(shop_mappings())
    for store in ("north", "south"):
        bridge.create_or_update_store(store, store.title())
        bridge.send_sync_messages(
            "CONTACT", [make_shop(0, 1, 0, 0, invalid=False).contacts[0].v2(T0)], store_id=store
        )
    run_jobs()

    api = HubSpot(access_token=make_private_app_token(db, portal.id), host=live_server.url)
    (contact,) = api.crm.objects.get_all(
        "contacts",
        properties=["ip__ecomm_bridge__source_store_id", "ip__ecomm_bridge__source_app_id"],
    )
    assert contact.properties["ip__ecomm_bridge__source_store_id"] == "north;south"
    assert contact.properties["ip__ecomm_bridge__source_app_id"] == "0"
