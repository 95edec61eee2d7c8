"""GET /crm/v3/objects/{type} and /{id}: HubSpot's object JSON, properties, paging, associations."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.crm.shop import Shop, build_shop
from tests.support.factories import make_installed_app
from tests.support.sync_rows import insert_crm_object
from tests.support.wire import assert_hubspot_error, bearer

V3 = "/crm/v3/objects"


@pytest.fixture
def shop(db: Database) -> Shop:
    return build_shop(db)


def auth(shop: Shop) -> dict[str, str]:
    return bearer(shop.token)


def test_list_contacts_with_default_properties(client: TestClient, shop: Shop) -> None:
    response = client.get(f"{V3}/contacts", headers=auth(shop))

    assert response.status_code == 200
    body = response.json()
    assert [r["id"] for r in body["results"]] == [str(shop.jane), str(shop.john), str(shop.ana)]
    assert "paging" not in body
    assert body["results"][0] == {
        "id": str(shop.jane),
        "properties": {
            "email": "Jane@Example.com",
            "firstname": "Jane",
            "lastname": "Doe",
            "createdate": "2023-11-14T22:13:20.000Z",
            "lastmodifieddate": "2023-11-14T22:13:20.000Z",
            "hs_object_id": str(shop.jane),
        },
        "createdAt": "2023-11-14T22:13:20.000Z",
        "updatedAt": "2023-11-14T22:13:20.000Z",
        "archived": False,
    }


def test_deal_values_are_strings_and_dates_iso(client: TestClient, shop: Shop) -> None:
    body = client.get(f"{V3}/deals/{shop.order1}", headers=auth(shop)).json()

    assert body["properties"] == {
        "dealname": "Order #1",
        "amount": "45",
        "closedate": "2023-11-15T22:13:20.000Z",
        "pipeline": None,
        "dealstage": "processed",
        "createdate": "2023-11-14T22:13:20.000Z",
        "hs_lastmodifieddate": "2023-11-14T22:13:20.005Z",
        "hs_object_id": str(shop.order1),
    }
    assert body["updatedAt"] == "2023-11-14T22:13:20.005Z"


def test_requested_properties_only_unknown_names_left_out(client: TestClient, shop: Shop) -> None:
    url = f"{V3}/products/{shop.tee}?properties=price,description&properties=nope,hs_sku"

    props = client.get(url, headers=auth(shop)).json()["properties"]

    assert props == {
        "price": "20",
        "description": None,
        "hs_sku": None,
        "createdate": "2023-11-14T22:13:20.000Z",
        "hs_lastmodifieddate": "2023-11-14T22:13:20.000Z",
        "hs_object_id": str(shop.tee),
    }


def test_paging_with_after_until_the_end(client: TestClient, shop: Shop) -> None:
    first = client.get(f"{V3}/line_items?limit=2", headers=auth(shop)).json()
    assert [r["id"] for r in first["results"]] == [str(shop.line1), str(shop.line2)]
    assert first["paging"]["next"]["after"] == str(shop.line2)
    link = first["paging"]["next"]["link"]
    assert link.startswith("/crm/v3/objects/line_items?") and f"after={shop.line2}" in link

    second = client.get(link, headers=auth(shop)).json()

    assert [r["id"] for r in second["results"]] == [str(shop.line3)]
    assert "paging" not in second


def test_associations_are_listed_per_type_both_directions(client: TestClient, shop: Shop) -> None:
    url = f"{V3}/contacts?associations=deals&properties=email"

    results = client.get(url, headers=auth(shop)).json()["results"]

    assert results[0]["associations"] == {
        "deals": {"results": [{"id": str(shop.order1), "type": "contact_to_deal"}]}
    }
    assert "associations" not in results[2]  # Ana has no orders
    deal = client.get(
        f"{V3}/deals/{shop.order1}?associations=contacts,line_items", headers=auth(shop)
    ).json()
    assert deal["associations"] == {
        "contacts": {"results": [{"id": str(shop.jane), "type": "deal_to_contact"}]},
        "line_items": {
            "results": [
                {"id": str(shop.line1), "type": "deal_to_line_item"},
                {"id": str(shop.line2), "type": "deal_to_line_item"},
            ]
        },
    }


def test_get_by_email_id_property_ignores_case(client: TestClient, shop: Shop) -> None:
    url = f"{V3}/contacts/jane@example.COM?idProperty=email"

    response = client.get(url, headers=auth(shop))

    assert response.status_code == 200
    assert response.json()["id"] == str(shop.jane)


def test_unknown_object_is_404_in_hubspot_shape(client: TestClient, shop: Shop) -> None:
    for path in (
        f"{V3}/contacts/999999999",
        f"{V3}/contacts/abc",
        f"{V3}/contacts/99999999999999999999",
        f"{V3}/contacts/²",
        f"{V3}/deals/{shop.jane}",
    ):
        response = client.get(path, headers=auth(shop))
        assert response.status_code == 404
        assert_hubspot_error(response.json(), "OBJECT_NOT_FOUND")


def test_archived_objects_only_when_asked(client: TestClient, db: Database, shop: Shop) -> None:
    gone = insert_crm_object(db, shop.portal.id, "PRODUCT", {"name": "Old"}, archived=True)

    live = client.get(f"{V3}/products", headers=auth(shop)).json()["results"]
    archived = client.get(f"{V3}/products?archived=true", headers=auth(shop)).json()["results"]

    assert str(gone) not in [r["id"] for r in live]
    assert [r["id"] for r in archived] == [str(gone)]
    assert archived[0]["archived"] is True
    assert client.get(f"{V3}/products/{gone}", headers=auth(shop)).status_code == 404


def test_objects_belong_to_their_portal(client: TestClient, db: Database, shop: Shop) -> None:
    other = build_shop(db, "Other")

    listed = client.get(f"{V3}/contacts", headers=auth(other)).json()["results"]
    foreign = client.get(f"{V3}/contacts/{shop.jane}", headers=auth(other))

    assert [r["id"] for r in listed] == [str(other.jane), str(other.john), str(other.ana)]
    assert foreign.status_code == 404


def test_portal_key_and_app_token_read_all_of_the_portals_objects(
    client: TestClient, db: Database, shop: Shop
) -> None:
    app = make_installed_app(db, shop.portal.id)
    by_key = client.get(f"{V3}/deals?hapikey={shop.portal.api_key}")
    by_app = client.get(f"{V3}/deals", headers=bearer(app.access_token))
    by_developer = client.get(f"{V3}/deals?hapikey={app.developer_api_key}")
    anonymous = client.get(f"{V3}/deals")

    assert len(by_key.json()["results"]) == len(by_app.json()["results"]) == 2
    assert by_developer.status_code == 403
    assert_hubspot_error(by_developer.json(), "INVALID_AUTHENTICATION")
    assert anonymous.status_code == 401


@pytest.mark.parametrize(
    ("url", "named"),
    [
        (f"{V3}/companies", "companies"),
        (f"{V3}/contacts?limit=0", "limit"),
        (f"{V3}/contacts?limit=x", "limit"),
        (f"{V3}/contacts?after=zz", "after"),
        (f"{V3}/contacts?after=99999999999999999999", "after"),
        (f"{V3}/contacts?archived=maybe", "archived"),
        (f"{V3}/contacts?associations=widgets", "widgets"),
    ],
)
def test_bad_parameters_are_400(client: TestClient, shop: Shop, url: str, named: str) -> None:
    response = client.get(url, headers=auth(shop))

    assert response.status_code == 400
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    assert named in response.json()["message"]


def test_limit_above_100_is_clamped(client: TestClient, db: Database, shop: Shop) -> None:
    for i in range(101):
        insert_crm_object(db, shop.portal.id, "PRODUCT", {"name": f"p{i}"})

    body = client.get(f"{V3}/products?limit=500", headers=auth(shop)).json()

    assert len(body["results"]) == 100
    assert "paging" in body


def test_dates_beyond_the_calendar_are_shown_as_numbers(
    client: TestClient, db: Database, shop: Shop
) -> None:
    # Sync accepts any epoch number for a date; one past year 9999 has no ISO form.
    far = 10**17
    deal = insert_crm_object(
        db, shop.portal.id, "DEAL", {"dealname": "Far", "closedate": far, "createdate": -far}
    )

    response = client.get(f"{V3}/deals/{deal}", headers=auth(shop))

    assert response.status_code == 200
    props = response.json()["properties"]
    assert props["closedate"] == str(far)
    assert props["createdate"] == str(-far)


def test_several_values_are_shown_separated_by_semicolons(
    client: TestClient, db: Database, shop: Shop
) -> None:
    contact = insert_crm_object(
        db,
        shop.portal.id,
        "CONTACT",
        {
            "email": "both@example.com",
            "ip__ecomm_bridge__source_app_id": [0, 2000001],
            "ip__ecomm_bridge__source_store_id": ["north", "south"],
        },
    )
    names = "ip__ecomm_bridge__source_app_id,ip__ecomm_bridge__source_store_id"

    response = client.get(f"{V3}/contacts/{contact}?properties={names}", headers=auth(shop))

    assert response.status_code == 200
    properties = response.json()["properties"]
    assert properties["ip__ecomm_bridge__source_app_id"] == "0;2000001"
    assert properties["ip__ecomm_bridge__source_store_id"] == "north;south"
