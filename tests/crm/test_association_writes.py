"""CRM v4 association writes and batch reads, and associations.{type} in searches."""

from __future__ import annotations

from typing import Any

import pytest

from ecombridge.change_feed import Changes
from tests.crm.shop import Shop
from tests.crm.writes_support import V3, V4, Crm
from tests.support.wire import assert_hubspot_error


def spec(type_id: int) -> dict[str, Any]:
    return {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}


def associated(crm: Crm, path: str) -> list[int]:
    return [r["toObjectId"] for r in crm.ok("GET", f"{V4}/objects/{path}")["results"]]


def test_put_labelled_both_directions(crm: Crm, shop: Shop, published: list[Changes]) -> None:
    made = crm.ok(
        "PUT", f"{V4}/objects/contacts/{shop.ana}/associations/deals/{shop.order2}", [spec(4)], 201
    )

    assert made == {
        "fromObjectTypeId": "0-1",
        "fromObjectId": shop.ana,
        "toObjectTypeId": "0-3",
        "toObjectId": shop.order2,
        "labels": [],
    }
    assert associated(crm, f"deals/{shop.order2}/associations/contacts") == [shop.john, shop.ana]
    # The pair is the deal's: the deal is what changed. Making it again changes nothing.
    assert [(c.object_type, list(c.changed)) for c in published] == [("DEAL", [shop.order2])]
    published.clear()
    crm.ok("PUT", f"{V4}/objects/deals/{shop.order2}/associations/default/contacts/{shop.ana}")
    assert published == []


def test_put_default_and_delete(crm: Crm, shop: Shop) -> None:
    path = f"{V4}/objects/deals/{shop.order2}/associations"

    made = crm.ok("PUT", f"{path}/default/contacts/{shop.ana}")
    crm.ok("DELETE", f"{path}/contacts/{shop.john}", status=204)
    crm.ok("DELETE", f"{path}/contacts/{shop.john}", status=204)  # nothing left to remove

    assert made["status"] == "COMPLETE"
    assert made["results"] == [
        {"from": {"id": str(shop.order2)}, "to": {"id": str(shop.ana)}, "associationSpec": spec(3)}
    ]
    assert associated(crm, f"deals/{shop.order2}/associations/contacts") == [shop.ana]


def test_a_line_item_has_one_product(crm: Crm, shop: Shop) -> None:
    path = f"{V4}/objects/products/{shop.mug}/associations/line_items/{shop.line3}"

    crm.ok("PUT", path, [spec(2002)], 201)
    after_put = crm.get("line_items", shop.line3, "hs_product_id")["properties"]
    crm.ok("DELETE", path, status=204)
    after_delete = crm.get("line_items", shop.line3, "hs_product_id")["properties"]

    assert associated(crm, f"products/{shop.tee}/associations/line_items") == [shop.line2]
    assert after_put["hs_product_id"] == str(shop.mug)
    assert after_delete["hs_product_id"] is None
    assert associated(crm, f"line_items/{shop.line3}/associations/products") == []


def test_single_writes_refuse_bad_pairs_types_and_objects(crm: Crm, shop: Shop) -> None:
    unmodelled = crm.call(
        "PUT", f"{V4}/objects/contacts/{shop.jane}/associations/products/{shop.mug}", [spec(1)]
    )
    wrong_type = crm.call(
        "PUT", f"{V4}/objects/deals/{shop.order1}/associations/contacts/{shop.ana}", [spec(4)]
    )
    no_body = crm.call("PUT", f"{V4}/objects/deals/{shop.order1}/associations/contacts/{shop.ana}")
    missing = crm.call("PUT", f"{V4}/objects/deals/{shop.order1}/associations/default/contacts/9")

    assert unmodelled.status_code == 400
    assert (
        "deals<->contacts, line_items<->deals and line_items<->products"
        in (unmodelled.json()["message"])
    )
    assert wrong_type.status_code == 400 and "associationTypeId: 3" in wrong_type.json()["message"]
    assert no_body.status_code == 400
    assert missing.status_code == 404
    assert_hubspot_error(missing.json(), "OBJECT_NOT_FOUND")


def test_batch_create_and_default_with_missing_objects(crm: Crm, shop: Shop) -> None:
    inputs = [
        {"from": {"id": str(shop.line1)}, "to": {"id": str(shop.order2)}, "types": [spec(20)]},
        {"from": {"id": "999999"}, "to": {"id": str(shop.order2)}, "types": [spec(20)]},
    ]

    created = crm.call(
        "POST", f"{V4}/associations/line_items/deals/batch/create", {"inputs": inputs}
    )
    default = crm.call(
        "POST",
        f"{V4}/associations/deals/contacts/batch/associate/default",
        {"inputs": [{"from": {"id": str(shop.order1)}, "to": {"id": "abc"}}]},
    )

    assert created.status_code == 207
    body = created.json()
    assert [(r["fromObjectId"], r["toObjectId"]) for r in body["results"]] == [
        (shop.line1, shop.order2)
    ]
    assert body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert body["errors"][0]["context"] == {"ids": ["999999"]}
    assert associated(crm, f"deals/{shop.order2}/associations/line_items") == [
        shop.line1,
        shop.line3,
    ]
    assert default.status_code == 200
    assert default.json()["results"] == [] and default.json()["numErrors"] == 1


def test_batch_archive_and_read(crm: Crm, shop: Shop) -> None:
    archived = crm.call(
        "POST",
        f"{V4}/associations/deals/line_items/batch/archive",
        {"inputs": [{"from": {"id": str(shop.order1)}, "to": [{"id": str(shop.line1)}]}]},
    )
    inputs = [{"id": str(shop.order1)}, {"id": str(shop.order2)}, {"id": "424242"}]

    read = crm.call("POST", f"{V4}/associations/deals/line_items/batch/read", {"inputs": inputs})

    assert archived.status_code == 204
    assert read.status_code == 200 + 7
    body = read.json()
    assert body["results"] == [
        {
            "from": {"id": str(shop.order1)},
            "to": [
                {
                    "toObjectId": shop.line2,
                    "associationTypes": [
                        {"category": "HUBSPOT_DEFINED", "typeId": 19, "label": None}
                    ],
                }
            ],
        },
        {
            "from": {"id": str(shop.order2)},
            "to": [
                {
                    "toObjectId": shop.line3,
                    "associationTypes": [
                        {"category": "HUBSPOT_DEFINED", "typeId": 19, "label": None}
                    ],
                }
            ],
        },
    ]
    assert body["errors"][0]["context"] == {"ids": ["424242"]}


def test_batch_read_lists_objects_without_associations_as_hubspot_does(
    crm: Crm, shop: Shop
) -> None:
    body = {"inputs": [{"id": str(shop.ana)}]}

    read = crm.call("POST", f"{V4}/associations/contacts/deals/batch/read", body)

    assert read.status_code == 207
    (error,) = read.json()["errors"]
    assert error["subCategory"] == "crm.associations.NO_ASSOCIATIONS_FOUND"
    assert error["message"] == f"No deal is associated with contact {shop.ana}."
    assert error["context"]["fromObjectId"] == [str(shop.ana)]


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("create", {"inputs": [{"from": {"id": "1"}, "to": {"id": "2"}}]}, "inputs[0].types"),
        (
            "create",
            {"inputs": [{"from": "1", "to": {"id": "2"}, "types": [spec(3)]}]},
            "inputs[0].from",
        ),
        ("associate/default", {"inputs": [{"from": {"id": "1"}, "to": {}}]}, "inputs[0].to.id"),
        ("archive", {"inputs": [{"from": {"id": "1"}, "to": {"id": "2"}}]}, "inputs[0].to"),
        ("read", {"inputs": [{"id": "1", "after": 5}]}, "inputs[0].after"),
        ("read", {"inputs": [{"id": "1"}] * 1001}, "inputs"),
    ],
)
def test_malformed_association_batches_are_400(
    crm: Crm, action: str, body: Any, field: str
) -> None:
    response = crm.call("POST", f"{V4}/associations/deals/contacts/batch/{action}", body)

    assert response.status_code == 400, response.text
    assert response.json()["message"].startswith(f"{field}:")


def test_search_by_association(crm: Crm, shop: Shop) -> None:
    def search(type_name: str, *filters: dict[str, Any]) -> list[int]:
        body = {"filterGroups": [{"filters": list(filters)}]}
        found = crm.ok("POST", f"{V3}/{type_name}/search", body)
        return [int(r["id"]) for r in found["results"]]

    of_jane = {"propertyName": "associations.contact", "operator": "EQ", "value": str(shop.jane)}
    of_mug = {"propertyName": "associations.product", "operator": "EQ", "value": shop.mug}
    without = {"propertyName": "associations.deal", "operator": "NOT_HAS_PROPERTY"}
    of_both = {
        "propertyName": "associations.deals",
        "operator": "IN",
        "values": [str(shop.order1), str(shop.order2)],
    }

    assert search("deals", of_jane) == [shop.order1]
    assert search("line_items", of_mug) == [shop.line1]
    assert search("contacts", without) == [shop.ana]
    assert search("contacts", of_both) == [shop.jane, shop.john]
    for bad in (
        {"propertyName": "associations.company", "operator": "EQ", "value": "1"},
        {"propertyName": "associations.product", "operator": "EQ", "value": "1"},
        {"propertyName": "associations.contact", "operator": "GT", "value": "1"},
        {"propertyName": "associations.contact", "operator": "EQ", "value": "x"},
    ):
        body = {"filterGroups": [{"filters": [bad]}]}
        assert crm.call("POST", f"{V3}/deals/search", body).status_code == 400, bad
