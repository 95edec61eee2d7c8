"""POST /crm/v3/objects/{type}/search: filters (OR of ANDs) run in SQL, sorts, query, paging."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.crm.shop import Shop, build_shop
from tests.support.wire import assert_hubspot_error, bearer

V3 = "/crm/v3/objects"


@pytest.fixture
def shop(db: Database) -> Shop:
    return build_shop(db)


def find(client: TestClient, shop: Shop, object_type: str, body: dict[str, Any]) -> list[int]:
    response = client.post(f"{V3}/{object_type}/search", json=body, headers=bearer(shop.token))
    assert response.status_code == 200, response.json()
    return [int(r["id"]) for r in response.json()["results"]]


def one(prop: str, operator: str, **more: Any) -> dict[str, Any]:
    return {"filterGroups": [{"filters": [{"propertyName": prop, "operator": operator, **more}]}]}


def test_eq_on_text_ignores_case(client: TestClient, shop: Shop) -> None:
    assert find(client, shop, "contacts", one("email", "EQ", value="jane@example.com")) == [
        shop.jane
    ]


def test_numeric_comparisons(client: TestClient, shop: Shop) -> None:
    assert find(client, shop, "deals", one("amount", "GT", value="30")) == [shop.order1]
    assert find(client, shop, "deals", one("amount", "LTE", value=20.25)) == [shop.order2]
    assert find(client, shop, "deals", one("amount", "EQ", value="45")) == [shop.order1]
    between = one("price", "BETWEEN", value="20", highValue="20.25")
    assert find(client, shop, "line_items", between) == [shop.line2, shop.line3]


def test_in_not_in_and_neq(client: TestClient, shop: Shop) -> None:
    stages = one("dealstage", "IN", values=["processed", "shipped"])
    assert find(client, shop, "deals", stages) == [shop.order1]
    assert find(client, shop, "deals", one("dealstage", "NOT_IN", values=["processed"])) == [
        shop.order2
    ]
    assert find(client, shop, "contacts", one("firstname", "NEQ", value="jane")) == [
        shop.john,
        shop.ana,
    ]


def test_has_property_and_not(client: TestClient, shop: Shop) -> None:
    assert find(client, shop, "products", one("hs_sku", "HAS_PROPERTY")) == [shop.mug]
    assert find(client, shop, "products", one("description", "NOT_HAS_PROPERTY")) == [
        shop.mug,
        shop.tee,
    ]
    assert find(client, shop, "deals", one("closedate", "HAS_PROPERTY")) == [shop.order1]


def test_contains_token_with_wildcards(client: TestClient, shop: Shop) -> None:
    assert find(
        client, shop, "contacts", one("email", "CONTAINS_TOKEN", value="*@example.com")
    ) == [
        shop.jane,
        shop.ana,
    ]
    assert find(client, shop, "products", one("name", "CONTAINS_TOKEN", value="mug")) == [shop.mug]
    assert find(client, shop, "products", one("name", "CONTAINS_TOKEN", value="mu")) == []
    assert find(client, shop, "contacts", one("firstname", "CONTAINS_TOKEN", value="MAR*")) == [
        shop.ana
    ]
    not_token = one("email", "NOT_CONTAINS_TOKEN", value="*.org")
    assert find(client, shop, "contacts", not_token) == [shop.jane, shop.ana]


def test_filter_groups_are_or_of_ands(client: TestClient, shop: Shop) -> None:
    body = {
        "filterGroups": [
            {"filters": [
                {"propertyName": "firstname", "operator": "EQ", "value": "Jane"},
                {"propertyName": "lastname", "operator": "EQ", "value": "Smith"},
            ]},
            {"filters": [{"propertyName": "lastname", "operator": "EQ", "value": "López"}]},
        ]
    }  # fmt: skip
    assert find(client, shop, "contacts", body) == [shop.ana]


def test_dates_accept_iso_or_epoch_ms(client: TestClient, shop: Shop) -> None:
    iso = one("createdate", "GTE", value="2023-11-15T00:00:00Z")
    assert find(client, shop, "contacts", iso) == [shop.john, shop.ana]
    epoch = one("closedate", "LT", value=str(1_700_000_000_000 + 86_400_001))
    assert find(client, shop, "deals", epoch) == [shop.order1]
    assert find(client, shop, "contacts", one("hs_object_id", "EQ", value=str(shop.john))) == [
        shop.john
    ]


def test_sorts_and_free_text_query(client: TestClient, shop: Shop) -> None:
    by_amount = {"sorts": [{"propertyName": "amount", "direction": "DESCENDING"}]}
    assert find(client, shop, "deals", by_amount) == [shop.order1, shop.order2]
    assert find(client, shop, "deals", {"sorts": ["amount"]}) == [shop.order2, shop.order1]
    assert find(client, shop, "contacts", {"query": "smith"}) == [shop.john]
    assert find(client, shop, "products", {"query": "MUG-1"}) == [shop.mug]


def test_total_paging_and_properties(client: TestClient, shop: Shop) -> None:
    headers = bearer(shop.token)
    body = {"limit": 2, "properties": ["email"], "sorts": ["-createdate"]}

    first = client.post(f"{V3}/contacts/search", json=body, headers=headers).json()
    rest = client.post(
        f"{V3}/contacts/search", json={**body, "after": first["paging"]["next"]["after"]},
        headers=headers,
    ).json()  # fmt: skip

    assert first["total"] == 3
    assert [r["id"] for r in first["results"]] == [str(shop.ana), str(shop.john)]
    assert first["paging"] == {"next": {"after": "2"}}
    assert set(first["results"][0]["properties"]) == {
        "email", "createdate", "lastmodifieddate", "hs_object_id",
    }  # fmt: skip
    assert rest == {"total": 3, "results": rest["results"]}
    assert [r["id"] for r in rest["results"]] == [str(shop.jane)]


def test_search_sees_only_the_callers_portal(client: TestClient, db: Database, shop: Shop) -> None:
    other = build_shop(db, "Other")

    found = find(client, other, "contacts", one("email", "CONTAINS_TOKEN", value="*@example.com"))

    assert found == [other.jane, other.ana]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (one("shoe_size", "EQ", value="1"), "shoe_size"),
        (one("dealname", "LIKE", value="x"), "LIKE"),
        (one("amount", "GT", value="lots"), "amount"),
        (one("amount", "GT", value="nan"), "amount"),
        ({"after": "99999999999999999999"}, "after"),
        (one("amount", "GT"), "amount"),
        (one("dealstage", "IN", values=[]), "values"),
        (one("closedate", "GT", value="yesterday"), "closedate"),
        ({"sorts": [{"propertyName": "amount", "direction": "UP"}]}, "direction"),
        ({"limit": 0}, "limit"),
        ({"filterGroups": "x"}, "filterGroups"),
    ],
)
def test_bad_searches_are_400_naming_the_problem(
    client: TestClient, shop: Shop, body: dict[str, Any], named: str
) -> None:
    response = client.post(f"{V3}/deals/search", json=body, headers=bearer(shop.token))

    assert response.status_code == 400
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    assert named in response.json()["message"]
