"""CRM v3 properties and pipelines, and legacy /crm-pipelines/v1 pipelines, of the portal."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.support.factories import InstalledApp, Portal, make_private_app_token
from tests.support.wire import assert_bad_field, assert_hubspot_error, bearer

PROPS = "/crm/v3/properties"


@pytest.fixture
def installed(client: TestClient, portal: Portal) -> Portal:
    assert client.post(f"/extensions/ecomm/v1/installs?hapikey={portal.api_key}").status_code == 204
    return portal


def _iso(value: Any) -> bool:
    return isinstance(value, str) and value.endswith("Z") and "T" in value


@pytest.mark.parametrize("object_type", ["deals", "0-3", "DEALS"])
def test_list_properties(client: TestClient, installed: Portal, object_type: str) -> None:
    response = client.get(f"{PROPS}/{object_type}?hapikey={installed.api_key}")
    assert response.status_code == 200
    by_name = {p["name"]: p for p in response.json()["results"]}
    stage = by_name["dealstage"]
    assert stage["type"] == "enumeration"
    assert stage["fieldType"] == "select"
    assert stage["groupName"] == "dealinformation"
    assert stage["hubspotDefined"] is True
    assert stage["archived"] is False
    assert _iso(stage["createdAt"]) and _iso(stage["updatedAt"])
    assert [o["value"] for o in stage["options"]][:2] == ["checkout_abandoned", "checkout_pending"]
    assert by_name["amount"]["type"] == "number"
    assert by_name["ip__ecomm_bridge__order_number"]["groupName"] == (
        "ip__ecomm_bridge__ecomm_bridge"
    )


def test_get_one_property(client: TestClient, installed: Portal) -> None:
    response = client.get(f"{PROPS}/contacts/email?hapikey={installed.api_key}")
    assert response.status_code == 200
    assert response.json()["name"] == "email"
    assert response.json()["type"] == "string"
    missing = client.get(f"{PROPS}/contacts/nope?hapikey={installed.api_key}")
    assert missing.status_code == 404
    assert_hubspot_error(missing.json(), "OBJECT_NOT_FOUND")


def test_uninstalled_portal_has_no_properties(client: TestClient, portal: Portal) -> None:
    assert client.get(f"{PROPS}/products?hapikey={portal.api_key}").json() == {"results": []}


def test_create_property(client: TestClient, installed: Portal) -> None:
    body = {
        "name": "shirt_size",
        "label": "Shirt size",
        "type": "enumeration",
        "fieldType": "radio",
        "options": [{"label": "Small", "value": "s"}, {"label": "Large", "value": "l"}],
    }
    created = client.post(f"{PROPS}/contacts?hapikey={installed.api_key}", json=body)
    assert created.status_code == 201
    assert created.json()["name"] == "shirt_size"
    assert created.json()["fieldType"] == "radio"
    assert created.json()["groupName"] == "contactinformation"
    assert created.json()["hubspotDefined"] is False
    assert created.json()["options"] == [
        {"label": "Small", "value": "s", "displayOrder": 0, "hidden": False},
        {"label": "Large", "value": "l", "displayOrder": 1, "hidden": False},
    ]
    got = client.get(f"{PROPS}/0-1/shirt_size?hapikey={installed.api_key}")
    assert got.json() == created.json()
    again = client.post(f"{PROPS}/contacts?hapikey={installed.api_key}", json=body)
    assert again.status_code == 409
    assert_hubspot_error(again.json(), "CONFLICT")


@pytest.mark.parametrize("type_", ["string", "number", "datetime", "bool"])
def test_create_property_of_each_type(client: TestClient, portal: Portal, type_: str) -> None:
    body = {"name": f"p_{type_}", "label": type_, "type": type_}
    created = client.post(f"{PROPS}/line_items?hapikey={portal.api_key}", json=body)
    assert created.status_code == 201
    assert created.json()["type"] == type_


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("x", "body"),
        ({"label": "L", "type": "string"}, "name"),
        ({"name": "Bad-Name", "label": "L", "type": "string"}, "name"),
        ({"name": "ok", "type": "string"}, "label"),
        ({"name": "ok", "label": "L", "type": "money"}, "type"),
        ({"name": "ok", "label": "L", "type": "enumeration"}, "options"),
        (
            {"name": "ok", "label": "L", "type": "enumeration", "options": [{"label": 1}]},
            "options[0]",
        ),
    ],
)
def test_invalid_property_is_400(client: TestClient, portal: Portal, body: Any, field: str) -> None:
    response = client.post(f"{PROPS}/deals?hapikey={portal.api_key}", json=body)
    assert_bad_field(response, field)


def test_unknown_object_type_is_400(client: TestClient, portal: Portal) -> None:
    response = client.get(f"{PROPS}/companies?hapikey={portal.api_key}")
    assert response.status_code == 400
    assert response.json()["message"].startswith("objectType:")


def test_properties_of_another_portal_are_invisible(
    client: TestClient, portal: Portal, other_portal: Portal
) -> None:
    client.post(
        f"{PROPS}/contacts?hapikey={portal.api_key}",
        json={"name": "mine", "label": "Mine", "type": "string"},
    )
    assert client.get(f"{PROPS}/contacts/mine?hapikey={other_portal.api_key}").status_code == 404


def test_v3_deal_pipelines(client: TestClient, installed: Portal) -> None:
    response = client.get(f"/crm/v3/pipelines/deals?hapikey={installed.api_key}")
    assert response.status_code == 200
    (pipeline,) = response.json()["results"]
    assert pipeline["label"] == "Ecommerce Pipeline"
    assert pipeline["archived"] is False
    assert _iso(pipeline["createdAt"])
    stages = pipeline["stages"]
    assert [s["id"] for s in stages] == [
        "checkout_abandoned",
        "checkout_pending",
        "checkout_completed",
        "processed",
        "shipped",
        "cancelled",
    ]
    assert stages[0]["metadata"] == {"probability": "0.1", "isClosed": "false"}
    assert stages[3]["metadata"] == {"probability": "1.0", "isClosed": "true"}
    assert [s["displayOrder"] for s in stages] == list(range(6))
    one = client.get(f"/crm/v3/pipelines/0-3/{pipeline['id']}?hapikey={installed.api_key}")
    assert one.json() == pipeline
    missing = client.get(f"/crm/v3/pipelines/deals/nope?hapikey={installed.api_key}")
    assert missing.status_code == 404


def test_legacy_deal_pipelines(client: TestClient, installed: Portal) -> None:
    response = client.get(f"/crm-pipelines/v1/pipelines/deals?hapikey={installed.api_key}")
    assert response.status_code == 200
    (pipeline,) = response.json()["results"]
    assert set(pipeline) == {"pipelineId", "label", "displayOrder", "active", "stages"}
    assert pipeline["label"] == "Ecommerce Pipeline"
    by_id = {s["stageId"]: s for s in pipeline["stages"]}
    assert by_id["shipped"] == {
        "stageId": "shipped",
        "label": "Shipped",
        "displayOrder": 4,
        "probability": 1.0,
        "closedWon": True,
        "active": True,
        "metadata": {"probability": "1.0", "isClosed": "true"},
    }
    assert by_id["cancelled"]["closedWon"] is False
    assert by_id["checkout_pending"]["probability"] == 0.2


def test_pipelines_of_other_object_types_are_400(client: TestClient, portal: Portal) -> None:
    assert client.get(f"/crm/v3/pipelines/contacts?hapikey={portal.api_key}").status_code == 400


def test_app_token_reads_the_schema(
    client: TestClient, installed: Portal, installed_app: InstalledApp
) -> None:
    authorization = bearer(installed_app.access_token)
    response = client.get("/crm/v3/pipelines/deals", headers=authorization)
    assert len(response.json()["results"]) == 1


def test_credentials(client: TestClient, installed_app: InstalledApp) -> None:
    assert client.get(f"{PROPS}/contacts").status_code == 401
    denied = client.get(f"{PROPS}/contacts?hapikey={installed_app.developer_api_key}")
    assert denied.status_code == 403
    assert_hubspot_error(denied.json(), "INVALID_AUTHENTICATION")


def test_odd_path_values_are_404_not_a_database_error(
    client: TestClient, installed: Portal
) -> None:
    for path in ("/crm/v3/properties/deals/a%00b", "/crm/v3/pipelines/deals/a%00b"):
        response = client.get(f"{path}?hapikey={installed.api_key}")
        assert response.status_code == 404
        assert_hubspot_error(response.json(), "OBJECT_NOT_FOUND")


def test_private_app_token_reads_and_creates(
    client: TestClient, db: Database, installed: Portal
) -> None:
    authorization = bearer(make_private_app_token(db, installed.id))
    assert client.get("/crm-pipelines/v1/pipelines/deals", headers=authorization).status_code == 200
    body = {"name": "from_token", "label": "From token", "type": "string"}
    assert client.post(f"{PROPS}/products", json=body, headers=authorization).status_code == 201
    assert client.get(f"{PROPS}/products/from_token?hapikey={installed.api_key}").status_code == 200
