"""hubspot3, unmodified, on the legacy APIs the bridge answers as HubSpot did: account details
(``me``), the daily usage, products and line items through /crm-objects/v1, and the deal
pipelines through /crm-pipelines/v1; hubspot-php's /deals/v1/properties over HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient
from hubspot3 import Hubspot3

from ecombridge.db.engine import Database
from ecombridge.tenancy import service as tenancy
from tests.crm.shop import Shop, build_shop
from tests.support.factories import Portal
from tests.support.live import LiveServer


def test_me_tells_the_portals_time_zone_and_currency(
    live_server: LiveServer, db: Database, portal: Portal
) -> None:
    with db.write() as conn:
        tenancy.set_portal_locale(conn, portal.id, time_zone="Asia/Kolkata", currency="INR")
    me = Hubspot3(api_key=portal.api_key, api_base=live_server.url).me
    assert me == {
        "portalId": portal.id,
        "timeZone": "Asia/Kolkata",
        "currency": "INR",
        "utcOffsetMilliseconds": 19_800_000,
        "utcOffset": "+05:30",
    }


def test_usage_limits_count_the_keys_calls(live_server: LiveServer, portal: Portal) -> None:
    client = Hubspot3(api_key=portal.api_key, api_base=live_server.url)
    client.me  # noqa: B018 - one API call
    usage = client.usage_limits
    assert usage.usage_limit == 1_000_000
    assert usage.current_usage == 2  # me, and the usage request itself


def test_products_and_line_items_through_crm_objects_v1(
    live_server: LiveServer, db: Database
) -> None:
    shop: Shop = build_shop(db)
    client = Hubspot3(access_token=shop.token, api_base=live_server.url)
    products = client.products.get_all_products(properties=["price"])
    assert sorted((p["id"], p["name"]) for p in products) == [
        (shop.mug, "Coffee mug"),
        (shop.tee, "T-shirt"),
    ]
    assert {p["price"] for p in products} == {"12.5", "20"}
    lines = client.lines.get_all()
    assert sorted(line["id"] for line in lines) == sorted([shop.line1, shop.line2, shop.line3])
    assert client.products.get_product(str(shop.mug))["properties"]["name"]["value"] == "Coffee mug"


def test_paging_of_crm_objects_v1(client: TestClient, db: Database) -> None:
    shop = build_shop(db)
    auth = {"Authorization": f"Bearer {shop.token}"}
    first = client.get("/crm-objects/v1/objects/line_items/paged?limit=2", headers=auth).json()
    assert (len(first["objects"]), first["hasMore"]) == (2, True)
    assert first["objects"][0]["objectType"] == "LINE_ITEM"
    rest = client.get(
        f"/crm-objects/v1/objects/line_items/paged?limit=2&offset={first['offset']}", headers=auth
    ).json()
    assert (len(rest["objects"]), rest["hasMore"]) == (1, False)
    assert rest["offset"] == first["offset"]
    missing = client.get("/crm-objects/v1/objects/products/999999", headers=auth)
    assert missing.status_code == 404


def test_crm_pipelines_v1_with_hubspot3(live_server: LiveServer, db: Database) -> None:
    shop = build_shop(db)
    pipelines = Hubspot3(access_token=shop.token, api_base=live_server.url).crm_pipelines
    (ecommerce,) = pipelines.get_all(object_type="deals")
    ecommerce["stages"][0]["label"] = "Abandoned cart"
    updated = pipelines.update("deals", ecommerce["pipelineId"], data=ecommerce)
    assert updated["stages"][0] == {**ecommerce["stages"][0], "label": "Abandoned cart"}


def test_deal_properties_v1(client: TestClient, portal: Portal) -> None:
    key = {"hapikey": portal.api_key}
    assert client.post("/extensions/ecomm/v1/installs", params=key).status_code == 204
    names = [p["name"] for p in client.get("/deals/v1/properties", params=key).json()]
    assert "dealstage" in names and "ip__ecomm_bridge__order_number" in names
    body = {"name": "order_channel", "label": "Channel", "type": "string", "fieldType": "text"}
    made = client.post("/deals/v1/properties", params=key, json=body)
    assert made.status_code == 200 and made.json()["hubspotDefined"] is False
    changed = client.put(
        "/deals/v1/properties/named/order_channel", params=key, json={"label": "Sales channel"}
    )
    assert changed.json()["label"] == "Sales channel"
    assert client.get("/crm/v3/properties/deals/order_channel", params=key).json()["label"] == (
        "Sales channel"
    )
    assert client.delete("/deals/v1/properties/named/order_channel", params=key).status_code == 204
    assert client.delete("/deals/v1/properties/named/amount", params=key).status_code == 400
    assert client.get("/deals/v1/properties/named/order_channel", params=key).status_code == 404
