"""POST /crm/v3/objects/{type}/batch/{read,create,update,upsert,archive}: HubSpot's batch answers,
207 with errors for the inputs that failed, request-level mistakes refused as a whole."""

from __future__ import annotations

from typing import Any

import pytest

from ecombridge.change_feed import Changes
from tests.crm.shop import Shop
from tests.crm.writes_support import V3, Crm
from tests.support.wire import assert_hubspot_error


def batch(crm: Crm, type_name: str, action: str, body: Any, **params: Any) -> Any:
    return crm.call("POST", f"{V3}/{type_name}/batch/{action}", body, **params)


def test_batch_create_answers_201_in_input_order(crm: Crm, published: list[Changes]) -> None:
    inputs = [
        {"properties": {"name": "Lamp", "price": "30"}, "objectWriteTraceId": "t-1"},
        {"properties": {"name": "Chair", "hs_sku": "CH-1"}},
    ]

    response = batch(crm, "products", "create", {"inputs": inputs})

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "COMPLETE" and "startedAt" in body and "completedAt" in body
    assert "errors" not in body and "numErrors" not in body
    assert [r["properties"]["name"] for r in body["results"]] == ["Lamp", "Chair"]
    assert body["results"][0]["objectWriteTraceId"] == "t-1"
    ids = [int(r["id"]) for r in body["results"]]
    assert [sorted(c.changed) for c in published] == [sorted(ids)]


def test_batch_create_writes_the_valid_inputs_and_lists_the_others(crm: Crm, shop: Shop) -> None:
    inputs = [
        {"properties": {"email": "new@example.com"}},
        {"properties": {"email": "jane@example.com"}, "objectWriteTraceId": "dup"},
        {"properties": {"email": "new@EXAMPLE.com"}},
        {"properties": {"email": "bad"}},
    ]

    response = batch(crm, "contacts", "create", {"inputs": inputs})

    assert response.status_code == 207
    body = response.json()
    assert [r["properties"]["email"] for r in body["results"]] == ["new@example.com"]
    assert body["numErrors"] == 3
    errors = body["errors"]
    assert [(e["category"], e["context"]) for e in errors] == [
        ("CONFLICT", {"objectWriteTraceId": ["dup"]}),
        ("CONFLICT", {"inputIndex": ["2"]}),
        ("VALIDATION_ERROR", {"inputIndex": ["3"]}),
    ]
    assert errors[0]["message"] == f"Contact already exists. Existing ID: {shop.jane}"
    assert all(e["status"] == "error" and e["links"] == {} for e in errors)
    assert errors[2]["errors"] == [
        {"message": "Email address bad is invalid", "code": "INVALID_EMAIL", "in": "email"}
    ]


def test_batch_update_by_id_and_id_property(crm: Crm, shop: Shop) -> None:
    inputs = [
        {"id": str(shop.jane), "properties": {"firstname": "Janet"}},
        {"id": "John@Example.org", "idProperty": "email", "properties": {"phone": "1"}},
        {"id": "424242", "properties": {"firstname": "Nobody"}},
        {"id": "ghost@example.com", "idProperty": "email", "properties": {"phone": "2"}},
    ]

    response = batch(crm, "contacts", "update", {"inputs": inputs})

    assert response.status_code == 207
    body = response.json()
    assert [r["id"] for r in body["results"]] == [str(shop.jane), str(shop.john)]
    assert body["results"][1]["properties"]["phone"] == "1"
    (missing,) = body["errors"]
    assert missing["category"] == "OBJECT_NOT_FOUND"
    assert missing["context"] == {"ids": ["424242", "ghost@example.com"]}
    assert missing["message"].startswith("Could not get some CONTACT objects")


def test_upsert_by_email_creates_and_updates(crm: Crm, shop: Shop) -> None:
    inputs = [
        {"id": "jane@example.com", "idProperty": "email", "properties": {"lastname": "Roe"}},
        {"id": "kim@example.com", "idProperty": "email", "properties": {"firstname": "Kim"}},
    ]

    first = batch(crm, "contacts", "upsert", {"inputs": inputs})
    again = batch(crm, "contacts", "upsert", {"inputs": inputs[1:]})

    assert first.status_code == 200
    results = first.json()["results"]
    kim = results[1]["id"]
    assert [(r["id"], r["new"]) for r in results] == [(str(shop.jane), False), (kim, True)]
    assert results[1]["properties"]["email"] == "kim@example.com"
    assert [(r["id"], r["new"]) for r in again.json()["results"]] == [(kim, False)]
    assert crm.get("contacts", shop.jane, "lastname")["properties"]["lastname"] == "Roe"


def test_upsert_by_a_unique_property_restores_archived_objects(crm: Crm) -> None:
    crm.unique_property("products", "external_id")
    body = {"inputs": [{"id": "P-1", "properties": {"name": "Lamp"}}]}

    created = batch(crm, "products", "upsert", body, idProperty="external_id").json()["results"]
    crm.ok("DELETE", f"{V3}/products/{created[0]['id']}", status=204)
    again = batch(crm, "products", "upsert", body, idProperty="external_id").json()["results"]

    assert created[0]["new"] is True and created[0]["properties"]["external_id"] == "P-1"
    assert (again[0]["id"], again[0]["new"], again[0]["archived"]) == (
        created[0]["id"],
        False,
        False,
    )
    assert crm.get("products", created[0]["id"], "name")["properties"]["name"] == "Lamp"


def test_upsert_needs_a_unique_id_property(crm: Crm) -> None:
    inputs = [{"id": "x", "properties": {"firstname": "X"}}]
    for params, field in (
        ({}, "inputs[0].idProperty"),
        ({"idProperty": "firstname"}, "inputs[0].idProperty"),
        ({"idProperty": "hs_object_id"}, "inputs[0].idProperty"),
    ):
        response = batch(crm, "contacts", "upsert", {"inputs": inputs}, **params)
        assert response.status_code == 400, params
        assert response.json()["message"].startswith(f"{field}:")


def test_batch_read_in_order_with_missing_ids(crm: Crm, shop: Shop) -> None:
    body = {
        "inputs": [{"id": str(shop.tee)}, {"id": "999999"}, {"id": str(shop.mug)}],
        "properties": ["name", "hs_sku"],
        "propertiesWithHistory": ["price"],
    }

    response = batch(crm, "products", "read", body)
    complete = batch(crm, "products", "read", {"inputs": body["inputs"][:1]})

    assert response.status_code == 207
    answer = response.json()
    assert [r["id"] for r in answer["results"]] == [str(shop.tee), str(shop.mug)]
    assert answer["results"][1]["properties"]["hs_sku"] == "MUG-1"
    assert answer["errors"][0]["context"] == {"ids": ["999999"]}
    assert complete.status_code == 200 and complete.json()["results"][0]["id"] == str(shop.tee)


def test_batch_read_by_email_and_archived(crm: Crm, shop: Shop) -> None:
    crm.ok("DELETE", f"{V3}/contacts/{shop.ana}", status=204)
    body = {
        "inputs": [{"id": "ANA@example.com"}, {"id": "john@example.org"}],
        "idProperty": "email",
    }

    live = batch(crm, "contacts", "read", body).json()
    archived = batch(crm, "contacts", "read", body, archived="true").json()

    assert [r["id"] for r in live["results"]] == [str(shop.john)]
    assert live["errors"][0]["context"] == {"ids": ["ANA@example.com"]}
    assert [r["id"] for r in archived["results"]] == [str(shop.ana)]


def test_batch_archive_is_204_whatever_the_ids(crm: Crm, shop: Shop) -> None:
    body = {"inputs": [{"id": str(shop.line1)}, {"id": "424242"}, {"id": "abc"}]}

    response = batch(crm, "line_items", "archive", body)

    assert response.status_code == 204
    assert crm.call("GET", f"{V3}/line_items/{shop.line1}").status_code == 404
    assert crm.call("GET", f"{V3}/line_items/{shop.line2}").status_code == 200


@pytest.mark.parametrize("action", ["read", "create", "update", "upsert", "archive"])
def test_more_than_100_inputs_are_refused(crm: Crm, action: str) -> None:
    inputs = [{"id": str(i), "idProperty": "email", "properties": {}} for i in range(101)]

    response = batch(crm, "contacts", action, {"inputs": inputs})

    assert response.status_code == 400
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    assert response.json()["message"].startswith("inputs: a batch takes at most 100 inputs")


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("create", {}, "inputs"),
        ("create", {"inputs": {"properties": {}}}, "inputs"),
        ("create", {"inputs": ["x"]}, "inputs[0]"),
        ("create", {"inputs": [{"properties": []}]}, "inputs[0].properties"),
        ("update", {"inputs": [{"properties": {}}]}, "inputs[0].id"),
        ("update", {"inputs": [{"id": True, "properties": {}}]}, "inputs[0].id"),
        ("update", {"inputs": [{"id": "1"}]}, "inputs[0].properties"),
        ("update", {"inputs": [{"id": "1", "properties": {}}] * 2}, "inputs"),
        ("read", {"inputs": [{"id": "1"}], "properties": "email"}, "properties"),
        ("read", {"inputs": [{}]}, "inputs[0].id"),
        ("read", {"inputs": [{"id": "1"}], "idProperty": "firstname"}, "idProperty"),
        ("archive", {"inputs": [{"id": ""}]}, "inputs[0].id"),
    ],
)
def test_malformed_batches_are_400_naming_the_field(
    crm: Crm, action: str, body: Any, field: str
) -> None:
    response = batch(crm, "contacts", action, body)

    assert response.status_code == 400, response.text
    assert response.json()["message"].startswith(f"{field}:")


def test_unknown_properties_refuse_the_whole_batch(crm: Crm) -> None:
    inputs = [{"properties": {"firstname": "A"}}, {"properties": {"shoe_size": "44"}}]

    response = batch(crm, "contacts", "create", {"inputs": inputs})

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"
    assert [
        c["properties"].get("firstname") for c in crm.ok("GET", f"{V3}/contacts")["results"]
    ] == [
        "Jane",
        "John",
        "Ana María",
    ]


def test_two_inputs_naming_one_object_are_refused(crm: Crm, shop: Shop) -> None:
    inputs = [
        {"id": str(shop.jane), "properties": {"firstname": "A"}},
        {"id": "jane@example.com", "idProperty": "email", "properties": {"firstname": "B"}},
    ]

    response = batch(crm, "contacts", "update", {"inputs": inputs})

    assert response.status_code == 400
    assert response.json()["message"] == (
        f"inputs: several inputs name the same objects: [{shop.jane}]."
    )
