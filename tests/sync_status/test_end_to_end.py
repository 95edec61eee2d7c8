"""Through the real intake and workers: what sync status, the error listings, the CRM API and
/metrics report after messages are accepted and applied."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.support.factories import Portal
from tests.support.jobs import RunJobs

V2 = "/extensions/ecomm/v2"
MAPPINGS = {
    "CONTACT": {
        "properties": [
            {"externalPropertyName": "email", "hubspotPropertyName": "email"},
            {"externalPropertyName": "first_name", "hubspotPropertyName": "firstname"},
        ]
    },
    "DEAL": {
        "properties": [
            {"externalPropertyName": "name", "hubspotPropertyName": "dealname"},
            {"externalPropertyName": "total", "hubspotPropertyName": "amount"},
            {"externalPropertyName": "stage", "hubspotPropertyName": "dealstage"},
        ]
    },
}


class Integration:
    """A custom integration of one portal, talking to the bridge with its API key."""

    def __init__(self, client: TestClient, portal: Portal) -> None:
        self.client = client
        self.key = {"hapikey": portal.api_key}

    def get(self, path: str, **params: Any) -> Any:
        response = self.client.get(path, params={**params, **self.key})
        return response

    def setup(self) -> None:
        store = {"id": "shop", "label": "Shop"}
        assert self.client.put(f"{V2}/stores", params=self.key, json=store).status_code == 200
        settings = {"enabled": True, "mappings": MAPPINGS}
        assert self.client.put(f"{V2}/settings", params=self.key, json=settings).status_code == 200

    def send(self, object_type: str, *messages: dict[str, Any]) -> None:
        body = {"storeId": "shop", "objectType": object_type, "messages": list(messages)}
        response = self.client.put(f"{V2}/sync/messages", params=self.key, json=body)
        assert response.status_code == 204, response.text


def upsert(external_id: str, changed_at: int, **properties: Any) -> dict[str, Any]:
    return {
        "action": "UPSERT",
        "externalObjectId": external_id,
        "changedAt": changed_at,
        "properties": properties,
    }


def counter(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


def test_a_failed_object_then_its_fix(
    client: TestClient, portal: Portal, run_jobs: RunJobs
) -> None:
    shop = Integration(client, portal)
    shop.setup()
    before = client.get("/metrics").text
    shop.send(
        "CONTACT",
        upsert("c1", 1000, email="c1@example.com", first_name="Cee"),
        upsert("c2", 1000, first_name="No email"),
    )
    run_jobs()

    good = shop.get(f"{V2}/sync/status/shop/CONTACT/c1").json()
    bad = shop.get(f"{V2}/sync/status/CONTACT/shop/c2").json()
    assert isinstance(good["hubspotId"], int) and good["errors"] == []
    assert bad["hubspotId"] is None
    assert bad["lastProcessedAt"] == bad["errors"][0]["erroredAt"]
    assert bad["errors"][0]["type"] == "MISSING_REQUIRED_PROPERTY"
    assert bad["errors"][0]["status"] == "OPEN"
    listed = shop.get(f"{V2}/sync/errors/portal").json()
    assert [(e["externalObjectId"], e["storeId"]) for e in listed["results"]] == [("c2", "shop")]

    shop.send("CONTACT", upsert("c2", 2000, email="c2@example.com", first_name="Fixed"))
    run_jobs()

    fixed = shop.get(f"{V2}/sync/status/shop/CONTACT/c2").json()
    assert isinstance(fixed["hubspotId"], int)
    assert fixed["lastProcessedAt"] > fixed["errors"][0]["erroredAt"]
    assert fixed["errors"][0]["status"] == "RESOLVED"
    assert shop.get(f"{V2}/sync/errors/portal").json() == {"results": []}
    resolved = shop.get(f"{V2}/sync/errors/portal", includeResolved="true").json()["results"]
    assert [(e["externalObjectId"], e["status"]) for e in resolved] == [("c2", "RESOLVED")]

    found = client.post(
        "/crm/v3/objects/contacts/search",
        params=shop.key,
        json={"filterGroups": [{"filters": [
            {"propertyName": "email", "operator": "EQ", "value": "C2@example.com"}
        ]}]},
    ).json()  # fmt: skip
    assert [r["id"] for r in found["results"]] == [str(fixed["hubspotId"])]
    assert found["results"][0]["properties"]["firstname"] == "Fixed"

    after = client.get("/metrics").text
    grown = counter(after, "ecombridge_sync_messages_accepted_total", object_type="CONTACT")
    assert grown - counter(before, "ecombridge_sync_messages_accepted_total",
                           object_type="CONTACT") == 3  # fmt: skip
    applied = counter(after, "ecombridge_sync_apply_seconds_count", object_type="CONTACT")
    assert applied > counter(before, "ecombridge_sync_apply_seconds_count", object_type="CONTACT")


def test_deal_of_a_contact_is_associated_in_the_crm(
    client: TestClient, portal: Portal, run_jobs: RunJobs
) -> None:
    shop = Integration(client, portal)
    shop.setup()
    shop.send("CONTACT", upsert("c1", 1, email="c1@example.com"))
    deal = upsert("o1", 1, name="Order 1", total="45.5", stage="processed")
    deal["associations"] = {"CONTACT": ["c1"]}
    shop.send("DEAL", deal)
    run_jobs()

    contact_id = shop.get(f"{V2}/sync/status/shop/CONTACT/c1").json()["hubspotId"]
    deal_id = shop.get(f"{V2}/sync/status/shop/DEAL/o1").json()["hubspotId"]
    read = shop.get(f"/crm/v3/objects/deals/{deal_id}", associations="contacts").json()
    v4 = shop.get(f"/crm/v4/objects/contacts/{contact_id}/associations/deals").json()

    assert read["properties"]["amount"] == "45.5"
    assert read["properties"]["dealname"] == "Order 1"
    assert read["associations"]["contacts"]["results"] == [
        {"id": str(contact_id), "type": "deal_to_contact"}
    ]
    assert v4["results"] == [
        {"toObjectId": deal_id,
         "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 4, "label": None}]}
    ]  # fmt: skip
