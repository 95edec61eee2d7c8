"""GET /crm/v4/objects/{type}/{id}/associations/{toType}: pairs stored once, read both ways."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.crm.shop import Shop, build_shop
from tests.support.wire import assert_hubspot_error, bearer

V4 = "/crm/v4/objects"


@pytest.fixture
def shop(db: Database) -> Shop:
    return build_shop(db)


def spec(type_id: int) -> list[dict[str, object]]:
    return [{"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}]


def get(client: TestClient, shop: Shop, path: str) -> dict[str, object]:
    response = client.get(f"{V4}/{path}", headers=bearer(shop.token))
    assert response.status_code == 200, response.json()
    body: dict[str, object] = response.json()
    return body


def test_deal_to_contact_and_back(client: TestClient, shop: Shop) -> None:
    assert get(client, shop, f"deals/{shop.order1}/associations/contacts") == {
        "results": [{"toObjectId": shop.jane, "associationTypes": spec(3)}]
    }
    assert get(client, shop, f"contacts/{shop.john}/associations/deals") == {
        "results": [{"toObjectId": shop.order2, "associationTypes": spec(4)}]
    }
    assert get(client, shop, f"contacts/{shop.ana}/associations/deals") == {"results": []}


def test_line_items_of_deals_and_products(client: TestClient, shop: Shop) -> None:
    assert get(client, shop, f"deals/{shop.order1}/associations/line_items") == {
        "results": [
            {"toObjectId": shop.line1, "associationTypes": spec(19)},
            {"toObjectId": shop.line2, "associationTypes": spec(19)},
        ]
    }
    assert get(client, shop, f"line_items/{shop.line3}/associations/deals") == {
        "results": [{"toObjectId": shop.order2, "associationTypes": spec(20)}]
    }
    assert get(client, shop, f"line_items/{shop.line1}/associations/products") == {
        "results": [{"toObjectId": shop.mug, "associationTypes": spec(2001)}]
    }
    tee_lines = get(client, shop, f"products/{shop.tee}/associations/line_items")
    assert tee_lines == {
        "results": [
            {"toObjectId": shop.line2, "associationTypes": spec(2002)},
            {"toObjectId": shop.line3, "associationTypes": spec(2002)},
        ]
    }


def test_unrelated_types_have_no_associations(client: TestClient, shop: Shop) -> None:
    assert get(client, shop, f"contacts/{shop.jane}/associations/products") == {"results": []}


def test_paging_with_limit_and_after(client: TestClient, shop: Shop) -> None:
    first = get(client, shop, f"deals/{shop.order1}/associations/line_items?limit=1")
    assert first["results"] == [{"toObjectId": shop.line1, "associationTypes": spec(19)}]
    paging = first["paging"]
    assert isinstance(paging, dict)
    after = paging["next"]["after"]

    rest = get(client, shop, f"deals/{shop.order1}/associations/line_items?limit=1&after={after}")

    assert rest == {"results": [{"toObjectId": shop.line2, "associationTypes": spec(19)}]}


def test_unknown_or_foreign_object_is_404(client: TestClient, db: Database, shop: Shop) -> None:
    other = build_shop(db, "Other")
    for path in (
        "deals/999999/associations/contacts",
        "deals/99999999999999999999/associations/contacts",
        f"deals/{other.order1}/associations/contacts",
    ):
        response = client.get(f"{V4}/{path}", headers=bearer(shop.token))
        assert response.status_code == 404
        assert_hubspot_error(response.json(), "OBJECT_NOT_FOUND")


def test_out_of_range_after_is_400(client: TestClient, shop: Shop) -> None:
    response = client.get(
        f"{V4}/deals/{shop.order1}/associations/contacts?after=99999999999999999999",
        headers=bearer(shop.token),
    )

    assert response.status_code == 400
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    assert "after" in response.json()["message"]


def test_unknown_target_type_is_400(client: TestClient, shop: Shop) -> None:
    response = client.get(
        f"{V4}/deals/{shop.order1}/associations/tickets",
        headers=bearer(shop.token),
    )

    assert response.status_code == 400
    assert "tickets" in response.json()["message"]
