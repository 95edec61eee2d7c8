"""CRM writes and sync messages write the same objects: last writer wins per property and per
association list, contacts meet by email, archiving is the CRM's decision."""

from __future__ import annotations

import pytest

from ecombridge.clock import now_ms
from ecombridge.db.engine import Database
from tests.crm.shop import Shop
from tests.crm.writes_support import V3, V4, Crm
from tests.sync.apply_support import Bridge, msg
from tests.web.conftest import sign_in
from tests.web.factories import make_user

MINUTE = 60_000


@pytest.fixture
def bridge(db: Database, shop: Shop) -> Bridge:
    return Bridge(db, shop.portal.id).setup()


def test_last_writer_wins_per_property_both_ways(crm: Crm, bridge: Bridge) -> None:
    start = now_ms()
    bridge.sync(
        "CONTACT",
        msg(
            "c1",
            {"email": "c1@example.com", "first_name": "A", "last_name": "A"},
            at=start - 10 * MINUTE,
        ),
    )
    contact = bridge.hubspot_id("CONTACT", "c1")

    crm.ok("PATCH", f"{V3}/contacts/{contact}", {"properties": {"firstname": "Crm"}})
    bridge.sync(
        "CONTACT", msg("c1", {"first_name": "Old", "last_name": "B"}, at=start - 5 * MINUTE)
    )
    after_older = bridge.properties("CONTACT", "c1")
    bridge.sync("CONTACT", msg("c1", {"first_name": "New"}, at=now_ms() + MINUTE))

    # Older than the CRM write: firstname stays; lastname was last set before it: it changes.
    assert (after_older["firstname"], after_older["lastname"]) == ("Crm", "B")
    assert bridge.properties("CONTACT", "c1")["firstname"] == "New"


def test_a_synced_contact_links_to_the_crm_contact_of_its_email(crm: Crm, bridge: Bridge) -> None:
    created = crm.create("contacts", {"email": "Pat@Example.com", "firstname": "Pat"})

    bridge.sync("CONTACT", msg("shop-7", {"email": "pat@example.com", "city": "Oslo"}, at=1_000))

    assert bridge.hubspot_id("CONTACT", "shop-7") == int(created["id"])
    read = crm.get("contacts", created["id"], "firstname", "city", "ip__ecomm_bridge__ecomm_synced")
    assert read["properties"] == {
        **read["properties"],
        "firstname": "Pat",
        "city": "Oslo",
        "ip__ecomm_bridge__ecomm_synced": "true",
    }


def test_association_lists_are_written_by_the_newest_writer(
    crm: Crm, bridge: Bridge, shop: Shop
) -> None:
    start = now_ms()
    bridge.sync("CONTACT", *(msg(c, {"email": f"{c}@example.com"}, at=1) for c in ("c1", "c2")))
    c1, c2 = bridge.hubspot_id("CONTACT", "c1"), bridge.hubspot_id("CONTACT", "c2")
    bridge.sync(
        "DEAL", msg("d1", {"name": "Order"}, at=start - MINUTE, associations={"CONTACT": ["c1"]})
    )
    deal = bridge.hubspot_id("DEAL", "d1")

    crm.ok("PUT", f"{V4}/objects/deals/{deal}/associations/default/contacts/{shop.ana}")
    bridge.sync("DEAL", msg("d1", {}, at=start - 1, associations={"CONTACT": ["c2"]}))
    older = bridge.associated("DEAL", "d1", "CONTACT")
    bridge.sync("DEAL", msg("d1", {}, at=now_ms() + 1, associations={"CONTACT": ["c1"]}))
    same_list = bridge.associated("DEAL", "d1", "CONTACT")
    bridge.sync("DEAL", msg("d1", {}, at=now_ms() + 2, associations={"CONTACT": ["c2"]}))

    assert older == same_list == {c1, shop.ana}
    assert bridge.associated("DEAL", "d1", "CONTACT") == {c2}


def test_a_line_item_product_set_through_the_crm_wins_over_older_messages(
    crm: Crm, bridge: Bridge, shop: Shop
) -> None:
    start = now_ms()
    bridge.sync("PRODUCT", msg("p1", {"name": "Cup"}, at=1), msg("p2", {"name": "Bowl"}, at=1))
    p1, p2 = bridge.hubspot_id("PRODUCT", "p1"), bridge.hubspot_id("PRODUCT", "p2")
    bridge.sync(
        "LINE_ITEM", msg("l1", {"qty": 1}, at=start - MINUTE, associations={"PRODUCT": ["p1"]})
    )
    line = bridge.hubspot_id("LINE_ITEM", "l1")

    crm.ok("PATCH", f"{V3}/line_items/{line}", {"properties": {"hs_product_id": str(shop.mug)}})
    bridge.sync("LINE_ITEM", msg("l1", {}, at=start - 1, associations={"PRODUCT": ["p2"]}))
    kept = bridge.properties("LINE_ITEM", "l1")["hs_product_id"]
    bridge.sync("LINE_ITEM", msg("l1", {}, at=now_ms() + 1, associations={"PRODUCT": ["p2"]}))

    assert kept == str(shop.mug)
    assert bridge.associated("LINE_ITEM", "l1", "PRODUCT") == {p2} != {p1}
    assert bridge.properties("LINE_ITEM", "l1")["hs_product_id"] == str(p2)


def test_sync_messages_keep_an_archived_object_current_and_archived(
    crm: Crm, bridge: Bridge
) -> None:
    bridge.sync("PRODUCT", msg("p1", {"name": "Cup"}, at=1))
    product = bridge.hubspot_id("PRODUCT", "p1")
    crm.ok("DELETE", f"{V3}/products/{product}", status=204)

    bridge.sync("PRODUCT", msg("p1", {"name": "Big cup"}, at=now_ms() + MINUTE))

    assert crm.call("GET", f"{V3}/products/{product}").status_code == 404
    archived = crm.ok("GET", f"{V3}/products/{product}", archived="true", properties="name")
    assert archived["properties"]["name"] == "Big cup"


def test_crm_written_objects_are_in_searches_the_web_ui_and_reports(
    crm: Crm, db: Database, shop: Shop
) -> None:
    properties = {"dealname": "Phone order 77", "amount": "250", "dealstage": "processed"}
    deal = crm.create("deals", {**properties, "closedate": str(now_ms())})
    make_user(db, shop.portal.id, "owner@example.com")
    sign_in(crm.client, "owner@example.com")

    filters = [{"propertyName": "amount", "operator": "GTE", "value": "200"}]
    found = crm.ok("POST", f"{V3}/deals/search", {"filterGroups": [{"filters": filters}]})
    listed = crm.client.get("/app/objects/deals?q=phone+order+77").text
    report = crm.client.get("/app/reports?days=30").text

    assert [r["id"] for r in found["results"]] == [deal["id"]]
    assert f"/app/objects/deals/{deal['id']}" in listed
    assert 'id="revenue">$250.00<' in report
