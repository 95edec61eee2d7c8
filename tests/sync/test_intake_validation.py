"""Every malformed sync request is a 400 in HubSpot's shape naming the bad field (and the
message's index), and nothing of it is stored."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from ecombridge.db.tables import jobs, sync_batches
from tests.support.inbox import in_inbox
from tests.support.wire import assert_hubspot_error

V2 = "/extensions/ecomm/v2/sync/messages"
V1 = "/extensions/ecomm/v1/sync-messages"
OK = {"action": "UPSERT", "externalObjectId": "ok", "changedAt": 1}
FUTURE = int(time.time() * 1000) + 7 * 86_400_000
DEEP: list[Any] = []
for _ in range(32):
    DEEP = [DEEP]


def v2(*messages: Any, **envelope: Any) -> dict[str, Any]:
    return {"storeId": "default", "objectType": "CONTACT", "messages": [OK, *messages]} | envelope


def nothing_stored(db: Database) -> bool:
    with db.read() as conn:
        counts = [
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (sync_batches, jobs)
        ]
    return counts == [0, 0] and in_inbox(db) == 0


V2_FAILURES = [
    pytest.param(b"{not json", "body: not valid JSON", id="not-json"),
    pytest.param(b"", "body: empty", id="empty-body"),
    pytest.param([OK], "body: expected a JSON object, got array", id="not-an-object"),
    pytest.param(v2(objectType="contact"), "objectType: 'contact' is not one of", id="lower-type"),
    pytest.param(v2(objectType="COMPANY"), "objectType: 'COMPANY' is not one of", id="bad-type"),
    pytest.param(v2(objectType=None), "objectType: missing", id="no-type"),
    pytest.param(v2(objectType=3), "objectType: expected str, got int", id="type-not-text"),
    pytest.param(v2(storeId=None), "storeId: missing", id="no-store"),
    pytest.param(v2(storeId=""), "storeId: missing", id="empty-store"),
    pytest.param(v2(storeId="nope"), "storeId: unknown store 'nope'", id="unknown-store"),
    pytest.param(v2(messages=None), "messages: missing", id="no-messages"),
    pytest.param(v2(messages={"a": 1}), "messages: expected array, got object", id="messages-obj"),
    pytest.param(v2(7), "messages[1]: expected object, got int", id="message-not-object"),
    pytest.param(v2({"externalObjectId": "x"}), "messages[1].action: missing", id="no-action"),
    pytest.param(
        v2({"action": "upsert", "externalObjectId": "x"}),
        "messages[1].action: 'upsert' is not one of UPSERT, DELETE",
        id="bad-action",
    ),
    pytest.param(
        v2({"action": "UPSERT"}), "messages[1].externalObjectId: missing or empty", id="no-id"
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": ""}),
        "messages[1].externalObjectId: missing or empty",
        id="empty-id",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "x" * 101}),
        "messages[1].externalObjectId: longer than 100 characters",
        id="long-id",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "café"}),
        "messages[1].externalObjectId: must be ASCII",
        id="non-ascii-id",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": ["x"]}),
        "messages[1].externalObjectId: expected int | str, got array",
        id="id-array",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "x", "changedAt": "yesterday"}),
        "messages[1].changedAt: 'yesterday' is not a timestamp",
        id="changed-at-text",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "x", "changedAt": -5}),
        "messages[1].changedAt: -5 is not a timestamp",
        id="changed-at-negative",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "x", "changedAt": True}),
        "messages[1].changedAt: expected int | float | str, got bool",
        id="changed-at-bool",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "x", "properties": ["a"]}),
        "messages[1].properties: expected object, got array",
        id="properties-array",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "x", "associations": {"DEAL": "1"}}),
        "messages[1].associations.DEAL: expected an array of ids, got str",
        id="association-not-list",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "x", "associations": {"DEAL": [None]}}),
        "messages[1].associations.DEAL: ids must be non-empty strings or integers, got None",
        id="association-null-id",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "x", "associations": {"ORDER": ["1"]}}),
        "messages[1].associations: 'ORDER' is not one of",
        id="association-bad-type",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "x", "associations": ["CONTACT"]}),
        "messages[1].associations: expected object, got array",
        id="associations-array",
    ),
    # What the database cannot store is refused, never acknowledged and then lost.
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "x\x00"}),
        "messages[1].externalObjectId: the value contains a NUL character",
        id="nul-in-id",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "x", "properties": {"n": "a\x00b"}}),
        "messages[1].properties.n: the value contains a NUL character",
        id="nul-in-value",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "x", "properties": {"n\x00": "a"}}),
        "messages[1].properties: the property name 'n\\x00' contains a NUL character",
        id="nul-in-property-name",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "x", "properties": {"n": [{"k": "\x00"}]}}),
        "messages[1].properties.n: the value contains a NUL character",
        id="nul-in-nested-value",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "x", "associations": {"DEAL": ["\x00"]}}),
        "messages[1].associations.DEAL: the value contains a NUL character",
        id="nul-in-association",
    ),
    pytest.param(
        v2(storeId="s\x00"),
        "storeId: contains a NUL character",
        id="nul-in-store",
    ),
    pytest.param(
        b'{"storeId":"default","objectType":"CONTACT","messages":[{"externalObjectId":"\xff"}]}',
        "body: not valid UTF-8",
        id="invalid-utf-8",
    ),
    pytest.param(
        b'{"storeId":"default","objectType":"CONTACT","messages":[{"externalObjectId":"x",'
        b'"action":"UPSERT","properties":{"n":' + b"[" * 100_000 + b"]" * 100_000 + b"}}]}",
        "body: nested too deeply",
        id="nested-100k-levels",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "x", "properties": {"n": DEEP}}),
        "messages[1].properties.n: nested deeper than 32 levels",
        id="nested-33-levels",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "x", "changedAt": FUTURE}),
        f"messages[1].changedAt: {FUTURE} is more than a day in the future",
        id="changed-at-next-week",
    ),
    pytest.param(
        v2({"action": "UPSERT", "externalObjectId": "x", "changedAt": str(FUTURE)}),
        f"messages[1].changedAt: '{FUTURE}' is more than a day in the future",
        id="changed-at-next-week-as-text",
    ),
    pytest.param(
        v2(
            {
                "action": "UPSERT",
                "externalObjectId": "x",
                "associations": {"DEAL": [str(i) for i in range(1_001)]},
            }
        ),
        "messages[1].associations.DEAL: 1001 ids; send at most 1000 per object type",
        id="too-many-associations",
    ),
]


@pytest.mark.parametrize(("body", "message"), V2_FAILURES)
def test_v2_envelope_failures(
    client: TestClient,
    db: Database,
    hapikey: Callable[[str], str],
    body: Any,
    message: str,
) -> None:
    if isinstance(body, bytes):
        response = client.put(
            hapikey(V2), content=body, headers={"content-type": "application/json"}
        )
    else:
        response = client.put(hapikey(V2), json=body)
    assert response.status_code == 400, response.text
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    assert response.json()["message"].startswith(message), response.json()["message"]
    assert nothing_stored(db)


V1_FAILURES = [
    pytest.param(
        "CONTACT",
        {"integratorObjectId": "x"},
        "body: expected a JSON array, got object",
        id="not-an-array",
    ),
    pytest.param("contact", [], "objectType: 'contact' is not one of", id="lower-type"),
    pytest.param("ORDER", [], "objectType: 'ORDER' is not one of", id="bad-type"),
    pytest.param(
        "DEAL",
        [{"integratorObjectId": "1", "action": "UPSERT"}, {"action": "UPSERT"}],
        "messages[1].integratorObjectId: missing or empty",
        id="no-id",
    ),
    pytest.param(
        "DEAL",
        [{"integratorObjectId": "1", "action": "MERGE"}],
        "messages[0].action: 'MERGE' is not one of UPSERT, DELETE",
        id="bad-action",
    ),
    pytest.param(
        "DEAL",
        [{"integratorObjectId": "1", "action": "UPSERT", "changeOccurredTimestamp": "soon"}],
        "messages[0].changeOccurredTimestamp: 'soon' is not a timestamp",
        id="bad-timestamp",
    ),
    pytest.param(
        "DEAL",
        [{"integratorObjectId": "1", "action": "UPSERT", "propertyNameToValues": "a=b"}],
        "messages[0].propertyNameToValues: expected object, got str",
        id="properties-text",
    ),
    pytest.param(
        "DEAL",
        [{"integratorObjectId": "1", "action": "UPSERT", "propertyNameToValues": {"n": "\x00"}}],
        "messages[0].propertyNameToValues.n: the value contains a NUL character",
        id="nul-in-value",
    ),
    pytest.param(
        "DEAL",
        [{"integratorObjectId": "1\x00", "action": "UPSERT"}],
        "messages[0].integratorObjectId: the value contains a NUL character",
        id="nul-in-id",
    ),
    pytest.param(
        "DEAL",
        [{"integratorObjectId": "1", "action": "UPSERT", "changeOccurredTimestamp": FUTURE}],
        f"messages[0].changeOccurredTimestamp: {FUTURE} is more than a day in the future",
        id="timestamp-next-week",
    ),
]


@pytest.mark.parametrize(("object_type", "body", "message"), V1_FAILURES)
def test_v1_envelope_failures(
    client: TestClient,
    db: Database,
    hapikey: Callable[[str], str],
    object_type: str,
    body: Any,
    message: str,
) -> None:
    response = client.put(hapikey(f"{V1}/{object_type}"), json=body)
    assert response.status_code == 400, response.text
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    assert response.json()["message"].startswith(message), response.json()["message"]
    assert nothing_stored(db)


def test_the_error_names_the_field_in_errors_too(
    client: TestClient, hapikey: Callable[[str], str]
) -> None:
    response = client.put(hapikey(V2), json=v2({"action": "UPSERT", "externalObjectId": "x" * 101}))
    assert response.json()["errors"] == [
        {
            "message": "messages[1].externalObjectId: longer than 100 characters",
            "in": "messages[1].externalObjectId",
        }
    ]
