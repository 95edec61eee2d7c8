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
    # mitxpro's exists_in_hubspot reads sync_status["hubspotId"]: the key is always there.
    assert failed["numErrors"] == 1 and failed["hubspotId"] is None

    errors = client.get(f"{V1}/sync-errors", params={**key, "limit": 200, "offset": 0}).json()
    assert [(e["integratorObjectId"], e["type"]) for e in errors["results"]] == [
        ("mitxpro-2", "MISSING_REQUIRED_PROPERTY")
    ]
    assert errors["results"][0]["errorTimestamp"] == failed["lastProcessedAt"]
    end = client.get(f"{V1}/sync-errors", params={**key, "limit": 200, "offset": 1}).json()
    assert end == {"results": []}
    single = client.get(f"{V1}/sync-errors/object/CONTACT/mitxpro-2", params=key).json()
    assert single == errors["results"][0]


def test_mitxpro_mapping_name_to_a_property_contacts_lack_still_syncs_contacts(
    client: TestClient, portal: Portal, run_jobs: RunJobs
) -> None:
    """mitxpro maps ``name -> name`` for contacts; contacts have no ``name`` property. The
    other mapped properties apply, and the status names the one skipped."""
    key = {"hapikey": portal.api_key}
    body = settings()
    body["contactSyncSettings"]["properties"].append(
        {"propertyName": "name", "dataType": "STRING", "targetHubspotProperty": "name"}
    )
    assert client.post(f"{V1}/installs", params=key).status_code == 204
    assert client.put(f"{V1}/settings", params=key, json=body).status_code == 200
    batch = [
        message("mitxpro-7", email="ada@example.com", first_name="Ada", name="Ada L"),
        message("mitxpro-8", name="Only a name"),
    ]
    assert client.put(f"{V1}/sync-messages/CONTACT", params=key, json=batch).status_code == 204
    run_jobs()

    status = client.get(f"{V1}/sync-status/CONTACT/mitxpro-7", params=key).json()
    assert status["numErrors"] == 0 and isinstance(status["hubspotId"], int)
    [warning] = status["warnings"]
    assert warning["type"] == "PROPERTIES_NOT_DEFINED" and warning["properties"] == ["name"]
    crm = f"/crm/v3/objects/contacts/{status['hubspotId']}"
    contact = client.get(crm, params={**key, "properties": "firstname,name"}).json()
    assert contact["properties"]["firstname"] == "Ada"
    assert contact["properties"].get("name") is None

    # None of the mapped properties the message carries exists: that is NO_PROPERTIES_DEFINED.
    only_missing = client.get(f"{V1}/sync-status/CONTACT/mitxpro-8", params=key).json()
    assert only_missing["numErrors"] == 1 and only_missing["hubspotId"] is None
    error = client.get(f"{V1}/sync-errors/object/CONTACT/mitxpro-8", params=key).json()
    assert error["type"] == "NO_PROPERTIES_DEFINED" and "name" in error["details"]
