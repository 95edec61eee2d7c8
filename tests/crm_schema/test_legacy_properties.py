"""The legacy properties API (/properties/v1|v2/{objectType}/...) as mitxpro and Drupal
commerce_hubspot use it: look a property up, create it or update it, same for groups."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.factories import InstalledApp, Portal
from tests.support.wire import assert_bad_field, assert_hubspot_error, bearer

BASE = "/properties/v1/deals"


@pytest.fixture
def key(client: TestClient, portal: Portal) -> str:
    assert client.post(f"/extensions/ecomm/v1/installs?hapikey={portal.api_key}").status_code == 204
    return f"hapikey={portal.api_key}"


def mitxpro_property() -> dict[str, Any]:
    """As mitxpro sends it: absent attributes become ""."""
    return {
        "name": "order_type",
        "label": "Order Type",
        "description": "",
        "groupName": "mitxpro_ecommerce",
        "type": "enumeration",
        "fieldType": "select",
        "options": [{"label": "Personal", "value": "personal"}, {"label": "B2B", "value": "b2b"}],
    }


def test_list_is_a_bare_array_of_the_portal_properties(client: TestClient, key: str) -> None:
    response = client.get(f"{BASE}/properties?{key}")
    assert response.status_code == 200
    by_name = {p["name"]: p for p in response.json()}
    assert by_name["amount"]["type"] == "number"
    assert by_name["amount"]["hubspotDefined"] is True
    assert isinstance(by_name["amount"]["createdAt"], int)
    assert by_name["dealstage"]["options"][0] == {
        "label": "Checkout Abandoned",
        "value": "checkout_abandoned",
        "displayOrder": 0,
        "hidden": False,
        "description": "",
    }


def test_mitxpro_group_and_property_sync(client: TestClient, key: str) -> None:
    # The group does not exist yet: 404, so the client creates it.
    assert client.get(f"{BASE}/groups/named/mitxpro_ecommerce?{key}").status_code == 404
    group = {"name": "mitxpro_ecommerce", "displayName": "xPRO Ecommerce"}
    created = client.post(f"{BASE}/groups?{key}", json=group)
    assert created.status_code == 200
    assert created.json()["name"] == "mitxpro_ecommerce"
    assert created.json()["displayName"] == "xPRO Ecommerce"
    renamed = client.put(
        f"{BASE}/groups/named/mitxpro_ecommerce?{key}",
        json={"name": "mitxpro_ecommerce", "displayName": "MIT xPRO"},
    )
    assert renamed.json()["displayName"] == "MIT xPRO"

    assert client.get(f"{BASE}/properties/named/order_type?{key}").status_code == 404
    made = client.post(f"{BASE}/properties?{key}", json=mitxpro_property())
    assert made.status_code == 200
    assert made.json()["name"] == "order_type"
    assert made.json()["groupName"] == "mitxpro_ecommerce"
    assert made.json()["hubspotDefined"] is False

    changed = mitxpro_property() | {"label": "Order type", "options": ""}
    updated = client.put(f"{BASE}/properties/named/order_type?{key}", json=changed)
    assert updated.status_code == 200
    assert updated.json()["label"] == "Order type"
    assert updated.json()["options"] == []
    assert client.get(f"{BASE}/properties/named/order_type?{key}").json() == updated.json()

    listed = client.get(f"{BASE}/groups?includeProperties=true&{key}").json()
    mine = next(g for g in listed if g["name"] == "mitxpro_ecommerce")
    assert [p["name"] for p in mine["properties"]] == ["order_type"]

    # Deleting: the group refuses while it holds properties.
    assert client.delete(f"{BASE}/groups/named/mitxpro_ecommerce?{key}").status_code == 409
    assert client.delete(f"{BASE}/properties/named/order_type?{key}").status_code == 204
    assert client.delete(f"{BASE}/groups/named/mitxpro_ecommerce?{key}").status_code == 204
    assert client.get(f"{BASE}/groups/named/mitxpro_ecommerce?{key}").status_code == 404


def test_v2_prefix_and_other_object_types(client: TestClient, key: str) -> None:
    body = {"name": "course_run", "label": "Course run", "type": "string", "groupName": ""}
    assert client.post(f"/properties/v2/line_items/properties?{key}", json=body).status_code == 200
    got = client.get(f"/properties/v1/line_items/properties/named/course_run?{key}")
    assert got.json()["groupName"] == "lineiteminformation"
    assert got.json()["fieldType"] == "text"


def test_standard_groups_exist(client: TestClient, key: str) -> None:
    names = [g["name"] for g in client.get(f"/properties/v1/contacts/groups?{key}").json()]
    assert names == ["contactinformation", "ip__ecomm_bridge__ecomm_bridge"]


def test_hubspot_defined_properties_and_groups_cannot_change(client: TestClient, key: str) -> None:
    for response in (
        client.put(f"{BASE}/properties/named/amount?{key}", json={"label": "X"}),
        client.delete(f"{BASE}/properties/named/ip__ecomm_bridge__order_number?{key}"),
        client.delete(f"{BASE}/groups/named/dealinformation?{key}"),
    ):
        assert response.status_code == 400
        assert_hubspot_error(response.json(), "VALIDATION_ERROR")


def test_conflicts_and_validation(client: TestClient, key: str) -> None:
    assert client.post(f"{BASE}/properties?{key}", json=mitxpro_property()).status_code == 200
    again = client.post(f"{BASE}/properties?{key}", json=mitxpro_property())
    assert again.status_code == 409
    assert_hubspot_error(again.json(), "CONFLICT")
    group = {"name": "dealinformation", "displayName": "Dup"}
    assert client.post(f"{BASE}/groups?{key}", json=group).status_code == 409
    for body, field in (
        ({"name": "x", "label": "X", "type": ""}, "type"),
        ([1], "body"),
    ):
        response = client.post(f"{BASE}/properties?{key}", json=body)
        assert response.status_code == 400
        assert response.json()["message"].startswith(f"{field}:")
    rename = client.put(f"{BASE}/properties/named/order_type?{key}", json={"name": "other"})
    assert rename.status_code == 400
    assert client.post(f"{BASE}/groups?{key}", json={"name": "g"}).status_code == 400
    bad_order = client.put(f"{BASE}/groups/named/dealinformation?{key}", json={"displayOrder": "1"})
    assert bad_order.status_code == 400
    assert client.get(f"/properties/v3/deals/properties?{key}").status_code == 404
    assert client.get(f"/properties/v1/companies/properties?{key}").status_code == 400


def test_isolation_and_credentials(
    client: TestClient, key: str, other_portal: Portal, installed_app: InstalledApp
) -> None:
    client.post(f"{BASE}/properties?{key}", json=mitxpro_property())
    other = client.get(f"{BASE}/properties/named/order_type?hapikey={other_portal.api_key}")
    assert other.status_code == 404
    assert client.get(f"{BASE}/properties").status_code == 401
    denied = client.get(f"{BASE}/properties?hapikey={installed_app.developer_api_key}")
    assert denied.status_code == 403
    authorization = bearer(installed_app.access_token)
    assert (
        client.get(f"{BASE}/properties/named/order_type", headers=authorization).status_code == 200
    )


@pytest.mark.parametrize("order", [2**31, -(2**31) - 1, 10**30])
def test_group_display_order_beyond_an_integer_column_is_400(
    client: TestClient, key: str, order: int
) -> None:
    created = client.post(
        f"{BASE}/groups?{key}", json={"name": "big", "displayName": "Big", "displayOrder": order}
    )
    updated = client.put(f"{BASE}/groups/named/dealinformation?{key}", json={"displayOrder": order})

    for response in (created, updated):
        assert_bad_field(response, "displayOrder")
    assert client.get(f"{BASE}/groups/named/big?{key}").status_code == 404
