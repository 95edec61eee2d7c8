"""A shop synced into the bridge arrives in a HubSpot portal (a second bridge standing in):
the same contacts, orders, products and line items, in the target's ecommerce pipeline stages,
associated, deduplicated by their external ids, with every request as the SDK models it."""

from __future__ import annotations

from typing import Any

from tests.relay.conftest import add_destination, destination, sdk
from tests.relay.target import Recorder, TargetPortal
from tests.workflows.shop import Shop, message
from tests.workflows.test_abandoned_cart import v1

PROPS = ["email", "firstname", "lastname", "ecombridge_external_id"]


def _all(api: Any, **kwargs: Any) -> list[Any]:
    return list(api.get_page(limit=100, **kwargs).results)


def _sync_shop(shop: Shop) -> None:
    shop.products()
    shop.sync("CONTACT", shop.customer("ada"))
    shop.sync_v1("CONTACT", v1(shop.customer("grace")))
    shop.sync("DEAL", shop.order("1001", "ada", "processed", 40))
    shop.sync("DEAL", shop.order("1002", "grace", "checkout_abandoned", 15))
    shop.sync("LINE_ITEM", shop.line("1001", "mug", 2), shop.line("1001", "cap", 1))
    shop.sync_v1("LINE_ITEM", v1(shop.line("1002", "cap", 1)))


def test_a_synced_shop_arrives_in_the_target_portal(
    shop: Shop, target: TargetPortal, recorder: Recorder
) -> None:
    dest_id = add_destination(shop, target)
    _sync_shop(shop)

    hub = sdk(target)
    contacts = _all(hub.crm.contacts.basic_api, properties=PROPS)
    assert sorted(c.properties["email"] for c in contacts) == [
        "ada@example.com",
        "grace@example.com",
    ]
    ada = next(c for c in contacts if c.properties["email"] == "ada@example.com")
    assert ada.properties["firstname"] == "Ada"
    assert ada.properties["ecombridge_external_id"] == "0:main:customer-ada"

    products = _all(
        hub.crm.products.basic_api, properties=["name", "price", "ecombridge_external_id"]
    )
    assert sorted(p.properties["name"] for p in products) == ["Cap", "Enamel mug"]
    product_ids = {p.properties["name"]: p.id for p in products}

    pipelines = hub.crm.pipelines.pipelines_api.get_all("deals").results
    [ecommerce] = [p for p in pipelines if p.label == "Ecommerce Pipeline"]
    stage_by_label = {s.label: s.id for s in ecommerce.stages}
    deals = _all(
        hub.crm.deals.basic_api,
        properties=["dealname", "amount", "dealstage", "pipeline"],
        associations=["contacts", "line_items"],
    )
    by_name = {d.properties["dealname"]: d for d in deals}
    assert set(by_name) == {"Order 1001", "Order 1002"}
    order = by_name["Order 1001"]
    assert order.properties["pipeline"] == ecommerce.id
    assert order.properties["dealstage"] == stage_by_label["Processed"]
    assert by_name["Order 1002"].properties["dealstage"] == stage_by_label["Checkout Abandoned"]
    assert [a.id for a in order.associations["contacts"].results] == [ada.id]
    assert len(order.associations["line_items"].results) == 2

    lines = _all(hub.crm.line_items.basic_api, properties=["name", "quantity", "hs_product_id"])
    assert len(lines) == 3
    mugs = [li for li in lines if li.properties["name"] == "Enamel mug"]
    assert [li.properties["hs_product_id"] for li in mugs] == [product_ids["Enamel mug"]]

    status = destination(shop, dest_id)
    assert status["state"] == "LIVE"
    assert (status["pending"], status["delivered"], status["failed"]) == (0, 9, 0)
    upserts = recorder.to("/batch/upsert")
    assert upserts and all(s.status == 200 for s in upserts)
    v1_status = shop.client.get(
        shop.url("/extensions/ecomm/v1/sync-status/CONTACT/customer-grace?includeDestinations=true")
    ).json()
    [delivery] = v1_status["destinations"]
    assert (delivery["destinationId"], delivery["state"]) == (dest_id, "DELIVERED")
    assert delivery["targetId"] == next(
        c.id for c in contacts if c.properties["email"] == "grace@example.com"
    )


def test_duplicated_and_out_of_order_messages_leave_the_target_as_our_crm(
    shop: Shop, target: TargetPortal, recorder: Recorder
) -> None:
    add_destination(shop, target)
    newer = message("customer-ada", {"email": "ada@example.com", "first_name": "Augusta"})
    older = message(
        "customer-ada",
        {"email": "ada@example.com", "first_name": "Ada"},
        changed_at=newer["changedAt"] - 60_000,
    )
    shop.sync("CONTACT", newer)
    shop.sync("CONTACT", older)
    shop.sync("CONTACT", newer)

    [contact] = _all(sdk(target).crm.contacts.basic_api, properties=PROPS)
    assert contact.properties["firstname"] == "Augusta"
    ours = shop.client.get(
        shop.url(f"/crm/v3/objects/contacts/{shop.hubspot_id('CONTACT', 'customer-ada')}")
    )
    assert ours.json()["properties"]["firstname"] == "Augusta"


def test_a_destination_added_later_backfills_what_the_portal_holds(
    shop: Shop, target: TargetPortal, recorder: Recorder
) -> None:
    _sync_shop(shop)
    dest_id = add_destination(shop, target)
    assert destination(shop, dest_id)["state"] == "SETTING_UP"
    shop.run_due()

    status = destination(shop, dest_id)
    assert status["state"] == "LIVE"
    assert status["backfill"] == {"total": 9, "filed": 9, "delivered": 9, "done": True}
    hub = sdk(target)
    assert len(_all(hub.crm.deals.basic_api)) == 2
    assert len(_all(hub.crm.line_items.basic_api)) == 3


def test_set_up_runs_again_without_creating_anything_twice(
    shop: Shop, target: TargetPortal, recorder: Recorder
) -> None:
    first = add_destination(shop, target)
    second = add_destination(shop, target)
    shop.run_due()
    assert destination(shop, first)["state"] == destination(shop, second)["state"] == "LIVE"
    pipelines = sdk(target).crm.pipelines.pipelines_api.get_all("deals").results
    assert [p.label for p in pipelines].count("Ecommerce Pipeline") == 1
    created = [s for s in recorder.sent if s.method == "POST" and "/properties/" in s.path]
    external = [s for s in created if s.body.get("name") == "ecombridge_external_id"]
    assert len(external) == 4  # once per object type, by the first destination's set-up
