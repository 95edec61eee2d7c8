"""Writing deal pipelines as integrations do: the WooCommerce plugin relabels the ecommerce
pipeline's stages by PUTting back the whole pipeline it read (v3, and /crm-pipelines/v1 in older
versions); hubspot3 creates pipelines through /crm-pipelines/v1; hubspot-php reads
/deals/v1/pipelines. The six ecommerce stage ids never change, and deals synced with a stage the
portal added to that pipeline are accepted."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ecombridge.crm_schema import pipelines
from ecombridge.db.engine import Database
from tests.support.factories import Portal
from tests.support.jobs import RunJobs
from tests.support.sync_rows import insert_crm_object
from tests.support.wire import assert_hubspot_error

V3 = "/crm/v3/pipelines/deals"
FIXED = [
    "checkout_abandoned",
    "checkout_pending",
    "checkout_completed",
    "processed",
    "shipped",
    "cancelled",
]
# The WooCommerce plugin's deal stage model (label and metadata by stage id).
WOO_MODEL = {
    "checkout_abandoned": ("Checkout Abandoned", 0.1, False),
    "checkout_pending": ("Payment Pending/Failed", 0.2, False),
    "checkout_completed": ("On hold", 0.6, False),
    "processed": ("Processing", 1.0, True),
    "shipped": ("Completed", 1.0, True),
    "cancelled": ("Refunded/Cancelled", 0.0, True),
}


@pytest.fixture
def key(client: TestClient, portal: Portal) -> dict[str, str]:
    assert client.post(f"/extensions/ecomm/v1/installs?hapikey={portal.api_key}").status_code == 204
    return {"hapikey": portal.api_key}


def ecommerce(client: TestClient, key: dict[str, str]) -> dict[str, Any]:
    (found,) = [
        p
        for p in client.get(V3, params=key).json()["results"]
        if p["label"] == "Ecommerce Pipeline"
    ]
    return found


def test_woocommerce_relabels_the_ecommerce_stages_with_a_put_of_the_pipeline(
    client: TestClient, key: dict[str, str]
) -> None:
    pipeline = ecommerce(client, key)
    for stage in pipeline["stages"]:  # as the plugin does: overwrite the keys it models
        label, probability, closed = WOO_MODEL[stage["id"]]
        stage["label"] = label
        stage["metadata"] = {"isClosed": closed, "probability": probability}
    pipeline_id = pipeline.pop("id")
    response = client.put(f"{V3}/{pipeline_id}", params=key, json=pipeline)
    assert response.status_code == 200, response.text
    stages = response.json()["stages"]
    assert [s["id"] for s in stages] == FIXED
    assert [s["label"] for s in stages] == [WOO_MODEL[i][0] for i in FIXED]
    assert stages[3]["metadata"] == {"probability": "1.0", "isClosed": "true"}
    assert ecommerce(client, key)["stages"] == stages


def test_older_woocommerce_versions_put_the_legacy_pipeline(
    client: TestClient, key: dict[str, str]
) -> None:
    (legacy,) = client.get("/crm-pipelines/v1/pipelines/deals", params=key).json()["results"]
    legacy["stages"][1]["label"] = "Payment Pending/Failed"
    response = client.put(
        f"/crm-pipelines/v1/pipelines/deals/{legacy['pipelineId']}", params=key, json=legacy
    )
    assert response.status_code == 200, response.text
    assert response.json()["stages"][1] == {
        **legacy["stages"][1],
        "label": "Payment Pending/Failed",
    }


def test_hubspot3_creates_a_pipeline_through_crm_pipelines_v1(
    client: TestClient, key: dict[str, str]
) -> None:
    body = {
        "pipelineId": "wholesale",
        "label": "Wholesale",
        "displayOrder": 2,
        "stages": [
            {"stageId": "ws_quote", "label": "Quote", "displayOrder": 0, "probability": 0.3},
            {
                "stageId": "ws_won",
                "label": "Won",
                "displayOrder": 1,
                "probability": 1.0,
                "closedWon": True,
            },
        ],
    }
    created = client.post("/crm-pipelines/v1/pipelines/deals", params=key, json=body)
    assert created.status_code == 200, created.text
    assert created.json()["pipelineId"] == "wholesale"
    assert created.json()["stages"][1]["closedWon"] is True
    again = client.post("/crm-pipelines/v1/pipelines/deals", params=key, json=body)
    assert again.status_code == 409
    assert_hubspot_error(again.json(), "CONFLICT")
    legacy = client.get("/deals/v1/pipelines", params=key).json()
    assert [p["pipelineId"] for p in legacy][-1] == "wholesale"
    assert set(legacy[-1]["stages"][0]) == {
        "stageId", "label", "displayOrder", "probability", "closedWon", "active"
    }  # fmt: skip
    assert client.get("/deals/v1/pipelines/wholesale", params=key).json() == legacy[-1]
    assert (
        client.delete("/crm-pipelines/v1/pipelines/deals/wholesale", params=key).status_code == 204
    )
    assert client.get("/deals/v1/pipelines/wholesale", params=key).status_code == 404


def test_stage_ids_are_unique_in_the_portal(client: TestClient, key: dict[str, str]) -> None:
    body = {
        "label": "Other",
        "displayOrder": 1,
        "stages": [{"id": "shipped", "label": "Shipped", "metadata": {"probability": "1"}}],
    }
    response = client.post(V3, params=key, json=body)
    assert response.status_code == 409
    assert "shipped" in response.json()["message"]


def test_a_stage_holding_deals_cannot_be_deleted(
    client: TestClient, db: Database, portal: Portal, key: dict[str, str]
) -> None:
    body = {"label": "B2B", "displayOrder": 1, "stages": [
        {"label": "Open", "metadata": {"probability": "0.5"}},
        {"label": "Won", "metadata": {"probability": "1", "isClosed": "true"}},
    ]}  # fmt: skip
    made = client.post(V3, params=key, json=body).json()
    open_id = made["stages"][0]["id"]
    insert_crm_object(db, portal.id, "DEAL", {"pipeline": made["id"], "dealstage": open_id})
    held = client.delete(f"{V3}/{made['id']}/stages/{open_id}", params=key)
    assert held.status_code == 409
    assert "1 deal(s)" in held.json()["message"]
    assert client.delete(f"{V3}/{made['id']}", params=key).status_code == 409
    won = made["stages"][1]["id"]
    assert client.delete(f"{V3}/{made['id']}/stages/{won}", params=key).status_code == 204


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"label": "X", "displayOrder": 0, "stages": []}, "stages"),
        ({"label": "X", "displayOrder": 0, "stages": [{"label": "A"}]}, "stages[0].metadata"),
        ({"label": "X", "stages": [{"label": "A", "metadata": {"probability": "2"}}]}, "stages[0]"),
        ({"displayOrder": 0, "stages": []}, "label"),
        ({"label": "X", "displayOrder": "1", "stages": []}, "displayOrder"),
        ([], "body"),
    ],
)
def test_bad_pipelines_are_400(
    client: TestClient, key: dict[str, str], body: Any, field: str
) -> None:
    response = client.post(V3, params=key, json=body)
    assert response.status_code == 400
    assert response.json()["message"].startswith(field)


def test_synced_deals_take_the_stages_of_the_ecommerce_pipeline(
    client: TestClient, db: Database, portal: Portal, key: dict[str, str], run_jobs: RunJobs
) -> None:
    pipeline_id = ecommerce(client, key)["id"]
    added = client.post(
        f"{V3}/{pipeline_id}/stages",
        params=key,
        json={
            "id": "refunded",
            "label": "Refunded",
            "displayOrder": 6,
            "metadata": {"probability": "0"},
        },
    )
    assert added.status_code == 201, added.text
    settings = {
        "enabled": True,
        "mappings": {"DEAL": {"properties": [
            {"externalPropertyName": "status", "hubspotPropertyName": "dealstage"},
        ]}},
    }  # fmt: skip
    assert client.put("/extensions/ecomm/v2/settings", params=key, json=settings).status_code == 200
    messages = [
        {"action": "UPSERT", "externalObjectId": ext, "changedAt": 1, "properties": {"status": st}}
        for ext, st in (("o-1", "refunded"), ("o-2", "nope"))
    ]
    batch = {"storeId": "default", "objectType": "DEAL", "messages": messages}
    assert (
        client.put("/extensions/ecomm/v2/sync/messages", params=key, json=batch).status_code == 204
    )
    run_jobs()
    errors = client.get("/extensions/ecomm/v2/sync/errors/portal", params=key).json()["results"]
    assert [(e["externalObjectId"], e["type"]) for e in errors] == [("o-2", "INVALID_DEAL_STAGE")]
    with db.read() as conn:
        assert pipelines.ecommerce_stages(conn, portal.id) == (pipeline_id, {*FIXED, "refunded"})
        assert pipelines.stage_ids(conn, portal.id, pipeline_id) == {*FIXED, "refunded"}
        assert pipelines.stage_ids(conn, portal.id, "nope") is None
        assert pipelines.default_pipeline_id(conn, portal.id) == pipeline_id
