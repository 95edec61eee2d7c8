"""POST/PATCH/DELETE /crm/v3/objects/{type}[/{id}]: values checked as the registry says, answers
and errors in HubSpot's shape, every change published."""

from __future__ import annotations

import json

import pytest

from ecombridge.change_feed import Changes
from tests.crm.shop import Shop
from tests.crm.writes_support import V3, V4, Crm, invalid_names
from tests.support.wire import assert_hubspot_error


def test_create_stores_typed_values_and_answers_the_object(
    crm: Crm, published: list[Changes]
) -> None:
    created = crm.create(
        "deals",
        {"dealname": "Phone order", "amount": "99.50", "closedate": "2024-03-01", "dealstage": ""},
    )

    object_id = int(created["id"])
    assert created["properties"]["amount"] == "99.5"
    assert created["properties"]["closedate"] == "2024-03-01T00:00:00.000Z"
    assert created["properties"]["dealstage"] is None
    assert created["properties"]["hs_object_id"] == created["id"]
    assert created["archived"] is False
    read = crm.get("deals", object_id, "dealname", "pipeline")["properties"]
    assert read["dealname"] == "Phone order"
    assert read["pipeline"] is not None  # a new deal is in the default pipeline
    assert [(c.object_type, c.origin, list(c.changed)) for c in published] == [
        ("DEAL", "crm", [object_id])
    ]


def test_update_sets_and_clears_values(crm: Crm, shop: Shop, published: list[Changes]) -> None:
    body = {"properties": {"firstname": "Janet", "lastname": ""}}

    updated = crm.ok("PATCH", f"{V3}/contacts/{shop.jane}", body)

    assert updated["properties"]["firstname"] == "Janet"
    assert updated["properties"]["lastname"] is None
    read = crm.get("contacts", shop.jane, "firstname", "lastname", "email")["properties"]
    assert (read["firstname"], read["lastname"], read["email"]) == (
        "Janet",
        None,
        "Jane@Example.com",
    )
    assert published[-1].changed.keys() == {shop.jane}


def test_update_and_archive_by_id_property(crm: Crm, shop: Shop) -> None:
    path = f"{V3}/contacts/JOHN@example.org"

    crm.ok("PATCH", path, {"properties": {"phone": "+44 1"}}, idProperty="email")
    assert crm.get("contacts", shop.john, "phone")["properties"]["phone"] == "+44 1"
    crm.ok("DELETE", path, status=204, idProperty="email")

    assert crm.call("GET", f"{V3}/contacts/{shop.john}").status_code == 404
    archived = crm.ok("GET", f"{V3}/contacts/{shop.john}", archived="true")
    assert archived["archived"] is True and "archivedAt" in archived
    assert shop.john not in [int(c["id"]) for c in crm.ok("GET", f"{V3}/contacts")["results"]]


def test_archived_objects_cannot_be_updated_and_archiving_twice_is_fine(
    crm: Crm, shop: Shop
) -> None:
    crm.ok("DELETE", f"{V3}/products/{shop.mug}", status=204)
    crm.ok("DELETE", f"{V3}/products/{shop.mug}", status=204)

    response = crm.call("PATCH", f"{V3}/products/{shop.mug}", {"properties": {"name": "x"}})

    assert response.status_code == 404
    assert_hubspot_error(response.json(), "OBJECT_NOT_FOUND")


def test_missing_objects_are_404(crm: Crm, shop: Shop) -> None:
    for method, path, params in (
        ("PATCH", f"{V3}/contacts/424242", {}),
        ("PATCH", f"{V3}/contacts/nobody@example.com", {"idProperty": "email"}),
        ("PATCH", f"{V3}/contacts/{shop.order1}", {}),
        ("DELETE", f"{V3}/deals/abc", {}),
    ):
        response = crm.call(method, path, {"properties": {}}, **params)
        assert response.status_code == 404, (method, path)
        assert_hubspot_error(response.json(), "OBJECT_NOT_FOUND")


def test_unknown_and_read_only_properties_are_refused_together(crm: Crm) -> None:
    properties = {
        "email": "x@example.com",
        "favourite_colour": "red",
        "hs_object_id": "1",
        "lastmodifieddate": "2024-01-01",
        "ip__ecomm_bridge__source_store_id": "eu",
    }

    response = crm.call("POST", f"{V3}/contacts", {"properties": properties})

    assert response.status_code == 400
    body = response.json()
    assert_hubspot_error(body, "VALIDATION_ERROR")
    assert body["message"].startswith("Property values were not valid: [")
    listed = json.loads(body["message"].removeprefix("Property values were not valid: "))
    assert (
        {e["name"]: e["error"] for e in listed}
        == invalid_names(body)
        == {
            "favourite_colour": "PROPERTY_DOESNT_EXIST",
            "hs_object_id": "READ_ONLY_VALUE",
            "lastmodifieddate": "READ_ONLY_VALUE",
            "ip__ecomm_bridge__source_store_id": "READ_ONLY_VALUE",
        }
    )
    assert (
        crm.ok("GET", f"{V3}/contacts")["results"][-1]["properties"]["email"] != properties["email"]
    )


def test_invalid_values_name_each_property(crm: Crm) -> None:
    properties = {
        "amount": "twelve",
        "closedate": "yesterday",
        "dealtype": "barter",
        "dealstage": "won",
        "ip__ecomm_bridge__order_number": "A-1",  # managed, but writable data
        "createdate": "2024-01-01T10:00:00Z",  # writable, as in HubSpot
    }

    response = crm.call("POST", f"{V3}/deals", {"properties": properties})

    assert response.status_code == 400
    assert invalid_names(response.json()) == {
        "amount": "INVALID_FLOAT",
        "closedate": "INVALID_DATE",
        "dealtype": "INVALID_OPTION",
        "dealstage": "INVALID_OPTION",
    }


def test_contacts_need_a_well_formed_email_and_one_email_is_one_contact(
    crm: Crm, shop: Shop
) -> None:
    bad = crm.call("POST", f"{V3}/contacts", {"properties": {"email": "not-an-email"}})
    taken = crm.call("POST", f"{V3}/contacts", {"properties": {"email": "JANE@example.com"}})
    moved = crm.call(
        "PATCH", f"{V3}/contacts/{shop.ana}", {"properties": {"email": "jane@EXAMPLE.com"}}
    )

    assert bad.status_code == 400 and invalid_names(bad.json()) == {"email": "INVALID_EMAIL"}
    for conflict in (taken, moved):
        assert conflict.status_code == 409
        assert_hubspot_error(conflict.json(), "CONFLICT")
        assert conflict.json()["message"] == f"Contact already exists. Existing ID: {shop.jane}"
    no_email = crm.create("contacts", {"firstname": "Walk-in"})
    assert crm.get("contacts", no_email["id"], "email")["properties"]["email"] is None


def test_a_deal_stage_belongs_to_the_deal_pipeline(crm: Crm, shop: Shop) -> None:
    pipeline = crm.get("deals", shop.order1, "pipeline")["properties"]["pipeline"]
    assert pipeline is None  # the shop's deals were stored without one

    other = crm.call("POST", f"{V3}/deals", {"properties": {"pipeline": "nope"}})
    deal = crm.create("deals", {"dealname": "D", "dealstage": "shipped"})

    assert invalid_names(other.json()) == {"pipeline": "INVALID_OPTION"}
    assert deal["properties"]["dealstage"] == "shipped"


def test_line_item_product_id_is_its_product_association(crm: Crm, shop: Shop) -> None:
    line = crm.create("line_items", {"hs_product_id": str(shop.mug), "quantity": "3"})
    line_id = line["id"]

    read = crm.get("line_items", line_id, "name", "price", "hs_product_id")["properties"]
    products = crm.ok("GET", f"{V4}/objects/line_items/{line_id}/associations/products")
    crm.ok("PATCH", f"{V3}/line_items/{line_id}", {"properties": {"hs_product_id": str(shop.tee)}})
    moved = crm.ok("GET", f"{V4}/objects/line_items/{line_id}/associations/products")
    crm.ok("PATCH", f"{V3}/line_items/{line_id}", {"properties": {"hs_product_id": ""}})
    cleared = crm.ok("GET", f"{V4}/objects/line_items/{line_id}/associations/products")
    missing = crm.call("POST", f"{V3}/line_items", {"properties": {"hs_product_id": "999999"}})

    # A line item made from a product takes its name and price, as in HubSpot.
    assert read == {**read, "name": "Coffee mug", "price": "12.5", "hs_product_id": str(shop.mug)}
    assert [r["toObjectId"] for r in products["results"]] == [shop.mug]
    assert [r["toObjectId"] for r in moved["results"]] == [shop.tee]
    assert cleared["results"] == []
    assert missing.status_code == 400
    assert invalid_names(missing.json()) == {"hs_product_id": "INVALID_OPTION"}


def test_create_with_associations(crm: Crm, shop: Shop, published: list[Changes]) -> None:
    associations = [
        {"to": {"id": str(shop.jane)}, "types": [spec(3)]},
        {"to": {"id": shop.line3}, "types": [spec(19)]},
    ]

    deal = crm.create("deals", {"dealname": "With friends"}, associations=associations)

    found = crm.ok("GET", f"{V3}/deals/{deal['id']}", associations="contacts,line_items")
    assert found["associations"]["contacts"]["results"][0]["id"] == str(shop.jane)
    assert found["associations"]["line_items"]["results"][0]["id"] == str(shop.line3)
    # The line item owns the pair: it is published as changed too.
    assert {(c.object_type, i) for c in published for i in c.changed} == {
        ("DEAL", int(deal["id"])),
        ("LINE_ITEM", shop.line3),
    }


def test_create_with_bad_associations(crm: Crm, shop: Shop) -> None:
    wrong_type = crm.call(
        "POST",
        f"{V3}/deals",
        {"properties": {}, "associations": [{"to": {"id": "1"}, "types": [spec(2001)]}]},
    )
    missing = crm.call(
        "POST",
        f"{V3}/deals",
        {"properties": {}, "associations": [{"to": {"id": "424242"}, "types": [spec(3)]}]},
    )

    assert wrong_type.status_code == 400
    assert "associationTypeId" in wrong_type.json()["message"]
    assert missing.status_code == 400
    assert "contact 424242 does not exist" in missing.json()["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("[1, 2]", "body"),
        ('{"properties": "name=x"}', "body.properties"),
        ('{"properties": {"name": {"text": "x"}}}', None),
        ('{"properties": {"name": "x"}, "associations": {}}', "body.associations"),
        ("{not json", "body"),
    ],
)
def test_malformed_bodies_are_400_naming_the_field(crm: Crm, body: str, field: str | None) -> None:
    response = crm.client.post(
        f"{V3}/products", content=body, headers={"Authorization": f"Bearer {crm.token}"}
    )

    assert response.status_code == 400, response.text
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    if field is not None:
        assert response.json()["message"].startswith(f"{field}:")
    else:
        assert invalid_names(response.json()) == {"name": "INVALID_VALUE"}


def test_unknown_object_type_is_400(crm: Crm) -> None:
    response = crm.call("POST", f"{V3}/companies", {"properties": {}})

    assert response.status_code == 400
    assert "contacts" in response.json()["message"]


def spec(type_id: int) -> dict[str, object]:
    return {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}
