"""v1 end to end, as mitxpro runs it: install, settings, sync messages, then sync status (400
until processed) and the sync-error listing paged with limit/offset."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support.factories import Portal
from tests.support.jobs import RunJobs

V1 = "/extensions/ecomm/v1"


def settings() -> dict[str, Any]:
    mapping = [
        {"propertyName": "email", "dataType": "STRING", "targetHubspotProperty": "email"},
        {"propertyName": "first_name", "dataType": "STRING", "targetHubspotProperty": "firstname"},
    ]
    return {
        "enabled": True,
        "productSyncSettings": {"properties": []},
        "dealSyncSettings": {"properties": []},
        "lineItemSyncSettings": {"properties": []},
        "contactSyncSettings": {"properties": mapping},
    }


def message(external_id: str, **values: str) -> dict[str, Any]:
    return {
        "integratorObjectId": external_id,
        "action": "UPSERT",
        "changeOccurredTimestamp": 1_558_727_887_000,
        "propertyNameToValues": values,
    }


def test_v1_status_and_errors_after_processing(
    client: TestClient, portal: Portal, run_jobs: RunJobs
) -> None:
    key = {"hapikey": portal.api_key}
    assert client.post(f"{V1}/installs", params=key).status_code == 204
    assert client.put(f"{V1}/settings", params=key, json=settings()).status_code == 200
    batch = [message("mitxpro-1", email="a@example.com", first_name="A"), message("mitxpro-2")]
    assert client.put(f"{V1}/sync-messages/CONTACT", params=key, json=batch).status_code == 204

    pending = client.get(f"{V1}/sync-status/CONTACT/mitxpro-1", params=key)
    assert pending.status_code == 400
    run_jobs()

    done = client.get(f"{V1}/sync-status/CONTACT/mitxpro-1", params=key).json()
    assert set(done) == {"externalObjectId", "lastProcessedAt", "numErrors", "hubspotId",
                         "objectType"}  # fmt: skip
    assert done["numErrors"] == 0 and isinstance(done["hubspotId"], int)
    failed = client.get(f"{V1}/sync-status/CONTACT/mitxpro-2", params=key).json()
    assert failed["numErrors"] == 1 and "hubspotId" not in failed

    errors = client.get(f"{V1}/sync-errors", params={**key, "limit": 200, "offset": 0}).json()
    assert [(e["integratorObjectId"], e["type"]) for e in errors["results"]] == [
        ("mitxpro-2", "MISSING_REQUIRED_PROPERTY")
    ]
    assert errors["results"][0]["errorTimestamp"] == failed["lastProcessedAt"]
    end = client.get(f"{V1}/sync-errors", params={**key, "limit": 200, "offset": 1}).json()
    assert end == {"results": []}
    single = client.get(f"{V1}/sync-errors/object/CONTACT/mitxpro-2", params=key).json()
    assert single == errors["results"][0]
