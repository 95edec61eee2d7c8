"""Changes to what the target already holds end there as they end in our CRM: associations
removed here are archived there, objects are updated by the target's id (a contact whose email
changed stays one contact), properties created after the set-up are created before they are
sent, and a line item whose product failed gets ``hs_product_id`` once the product lands."""

from __future__ import annotations

from typing import Any

from tests.relay.conftest import DESTINATIONS, add_destination, destination, sdk
from tests.relay.target import Recorder, TargetPortal, TargetServer
from tests.relay.test_failures import _set_target_type
from tests.workflows.shop import Shop, message

PROPS = ["email", "firstname", "ecombridge_external_id"]


def _deals(target: TargetPortal) -> dict[str, Any]:
    deals = (
        sdk(target)
        .crm.deals.basic_api.get_page(
            limit=100, properties=["dealname"], associations=["contacts", "line_items"]
        )
        .results
    )
    return {d.properties["dealname"]: d for d in deals}


def _associated(deal: Any, name: str) -> list[str]:
    found = (deal.associations or {}).get(name)
    return sorted(a.id for a in found.results) if found else []


def _contacts(target: TargetPortal) -> list[Any]:
    return list(sdk(target).crm.contacts.basic_api.get_page(limit=100, properties=PROPS).results)


def test_associations_removed_in_our_crm_are_removed_in_the_target(
    shop: Shop, target: TargetPortal, recorder: Recorder
) -> None:
    add_destination(shop, target)
    shop.products()
    shop.sync("CONTACT", shop.customer("ada"), shop.customer("grace"))
    shop.sync(
        "DEAL",
        shop.order("1001", "ada", "processed", 40),
        shop.order("1002", "grace", "processed", 15),
    )
    shop.sync("LINE_ITEM", shop.line("1001", "mug", 2), shop.line("1001", "cap", 1))
    by_email = {c.properties["email"]: c.id for c in _contacts(target)}
    assert _associated(_deals(target)["Order 1001"], "contacts") == [by_email["ada@example.com"]]

    # The order changes hands, and its mug moves to the other order.
    shop.sync("DEAL", shop.order("1001", "grace", "processed", 40))
    moved = shop.line("1001", "mug", 2)
    moved["associations"]["DEAL"] = ["order-1002"]
    shop.sync("LINE_ITEM", moved)

    deals = _deals(target)
    assert _associated(deals["Order 1001"], "contacts") == [by_email["grace@example.com"]]
    assert len(_associated(deals["Order 1001"], "line_items")) == 1
    assert len(_associated(deals["Order 1002"], "line_items")) == 1
    assert recorder.to("/deals/contacts/batch/archive")
    assert recorder.to("/line_items/deals/batch/archive")


def test_associations_whose_calls_fail_are_sent_again_with_their_page(
    shop: Shop, target: TargetPortal, recorder: Recorder
) -> None:
    dest_id = add_destination(shop, target)
    shop.sync("CONTACT", shop.customer("ada"), shop.customer("grace"))
    shop.sync("DEAL", shop.order("1001", "ada", "processed", 40))
    by_email = {c.properties["email"]: c.id for c in _contacts(target)}

    # The order changes hands; the target refuses the removal of the old customer.
    recorder.refuse("/deals/contacts/batch/archive")
    shop.sync("DEAL", shop.order("1001", "grace", "processed", 40))
    status = destination(shop, dest_id)
    assert (status["state"], status["pending"]) == ("FAILING", 1)  # the deal waits, whole

    path = shop.url(f"{DESTINATIONS}/{dest_id}")
    assert shop.client.patch(path, json={"accessToken": target.token}).status_code == 200
    shop.run_due()

    assert destination(shop, dest_id)["state"] == "LIVE"
    deal = _deals(target)["Order 1001"]
    assert _associated(deal, "contacts") == [by_email["grace@example.com"]]
    assert [s.status for s in recorder.to("/deals/contacts/batch/archive")] == [401, 204]


def test_a_contact_whose_email_changes_stays_one_contact_in_the_target(
    shop: Shop, target: TargetPortal, recorder: Recorder
) -> None:
    add_destination(shop, target)
    shop.sync("CONTACT", shop.customer("ada"))
    ada = shop.hubspot_id("CONTACT", "customer-ada")
    nameless = _crm(shop, "POST", "/crm/v3/objects/contacts", {"firstname": "Nameless"})
    shop.run_due()
    assert len(_contacts(target)) == 2

    _crm(shop, "PATCH", f"/crm/v3/objects/contacts/{ada}", {"email": "ada@lovelace.example"})
    _crm(shop, "PATCH", f"/crm/v3/objects/contacts/{nameless}", {"email": "n@example.com"})
    shop.run_due()

    contacts = _contacts(target)
    assert sorted(c.properties["email"] for c in contacts) == [
        "ada@lovelace.example",
        "n@example.com",
    ]
    assert sorted(c.properties["ecombridge_external_id"] for c in contacts) == [
        "0:main:customer-ada",
        f"crm::{nameless}",
    ]
    assert recorder.to("/contacts/batch/update")


def _crm(shop: Shop, method: str, path: str, properties: dict[str, Any]) -> int:
    response = shop.client.request(method, shop.url(path), json={"properties": properties})
    assert response.status_code in (200, 201), response.text
    return int(response.json()["id"])


def test_an_object_deleted_in_the_target_is_made_again_by_its_next_change(
    shop: Shop, target: TargetPortal, recorder: Recorder
) -> None:
    dest_id = add_destination(shop, target)
    shop.sync("CONTACT", shop.customer("ada"))
    [contact] = _contacts(target)
    sdk(target).crm.contacts.basic_api.archive(contact.id)

    shop.sync("CONTACT", shop.customer("ada", first_name="Augusta"))
    [again] = _contacts(target)
    assert (again.properties["email"], again.properties["firstname"]) == (
        "ada@example.com",
        "Augusta",
    )
    status = destination(shop, dest_id)
    assert (status["delivered"], status["failed"]) == (1, 0)


def test_a_property_created_after_the_set_up_is_created_in_the_target_and_delivered(
    shop: Shop, target: TargetPortal, recorder: Recorder
) -> None:
    add_destination(shop, target)
    shop.sync("CONTACT", shop.customer("ada"))
    created = shop.client.post(
        shop.url("/crm/v3/properties/contacts"),
        json={
            "name": "loyalty_tier",
            "label": "Loyalty tier",
            "type": "string",
            "fieldType": "text",
            "groupName": "contactinformation",
        },
    )
    assert created.status_code == 201, created.text
    ada = shop.hubspot_id("CONTACT", "customer-ada")
    changed = shop.client.patch(
        shop.url(f"/crm/v3/objects/contacts/{ada}"), json={"properties": {"loyalty_tier": "gold"}}
    )
    assert changed.status_code == 200, changed.text
    shop.run_due()

    [contact] = sdk(target).crm.contacts.basic_api.get_page(properties=["loyalty_tier"]).results
    assert contact.properties["loyalty_tier"] == "gold"


def test_a_line_item_whose_product_failed_gets_it_once_the_product_lands(
    shop: Shop, target_server: TargetServer, target: TargetPortal, recorder: Recorder
) -> None:
    image = "ip__ecomm_bridge__image_url"
    _set_target_type(target_server, target.portal_id, image, "number", object_type="PRODUCT")
    add_destination(shop, target)
    shop.products()
    shop.sync("CONTACT", shop.customer("ada"))
    shop.sync("DEAL", shop.order("1001", "ada", "processed", 40))
    shop.sync("LINE_ITEM", shop.line("1001", "mug", 2))
    [line] = sdk(target).crm.line_items.basic_api.get_page(properties=["hs_product_id"]).results
    assert not line.properties.get("hs_product_id")

    _set_target_type(target_server, target.portal_id, image, "string", object_type="PRODUCT")
    shop.sync("PRODUCT", message("product-mug", {"title": "Enamel mug", "price": 13}))

    products = sdk(target).crm.products.basic_api.get_page(properties=["name"]).results
    mug = next(p.id for p in products if p.properties["name"] == "Enamel mug")
    [line] = sdk(target).crm.line_items.basic_api.get_page(properties=["hs_product_id"]).results
    assert line.properties["hs_product_id"] == mug
