"""Bad values never break the worker: sync batches the bridge accepts (204) with odd but
well-formed content (any JSON value as a property, ids of every printable ASCII character,
timestamps as ints, floats and strings, unknown association types) are all applied; no job
fails, and every accepted object then has a sync status. Batches it refuses get a 4xx in
HubSpot's error shape, never a 5xx."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecombridge.db import tables as t
from ecombridge.db.engine import Database
from tests.acceptance.support import V1, V2, assert_error_shape, shop_mappings, v1_shop_settings
from tests.support.factories import Portal
from tests.support.jobs import RunJobs

FAR_FUTURE = 4_000_000_000_000  # runs retries waiting on backoff too
PROPERTY_NAMES = [
    "email",
    "first_name",
    "last_name",
    "title",
    "price",
    "sku",
    "image",
    "name",
    "stage",
    "total",
    "closed_at",
    "kind",
    "quantity",
    "customer",
    "order",
    "product",
    "ünmapped",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["", "NaN", "1e400", "2024-02-30", "processed", "a@b.c", "-0", " 12 "]),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.text(max_size=5), scalars, max_size=2),
)
ids = st.one_of(
    st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=12),
    st.integers(0, 10**9),
)
timestamps = st.one_of(
    st.integers(0, 10**14),
    st.floats(0, 10**13, allow_nan=False),
    st.integers(0, 10**13).map(str),
    st.just("1600000000000.0"),
)
object_types = st.sampled_from(["CONTACT", "PRODUCT", "DEAL", "LINE_ITEM"])


@st.composite
def v2_messages(draw: st.DrawFn) -> dict[str, Any]:
    message: dict[str, Any] = {
        "action": draw(st.sampled_from(["UPSERT", "UPSERT", "DELETE"])),
        "externalObjectId": draw(ids),
        "properties": draw(st.dictionaries(st.sampled_from(PROPERTY_NAMES), values, max_size=5)),
    }
    if draw(st.booleans()):
        message["changedAt"] = draw(timestamps)
    if draw(st.booleans()):
        keys = st.sampled_from(["CONTACT", "DEAL", "PRODUCT", "LINE_ITEM"])
        message["associations"] = draw(st.dictionaries(keys, st.lists(ids, max_size=3), max_size=2))
    return message


def v1_message(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "integratorObjectId": message["externalObjectId"],
        "action": message["action"],
        "changeOccurredTimestamp": message.get("changedAt", 1_600_000_000_000),
        "propertyNameToValues": message["properties"],
    }


def assert_every_job_done(db: Database) -> None:
    with db.read() as conn:
        unfinished = conn.execute(
            sa.select(t.jobs.c.kind, t.jobs.c.status, t.jobs.c.last_error).where(
                t.jobs.c.status != "DONE"
            )
        ).all()
    assert unfinished == []


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    object_type=object_types,
    messages=st.lists(v2_messages(), min_size=1, max_size=6),
    version=st.sampled_from(["v2", "v1"]),
)
def test_accepted_batches_are_applied_without_failed_jobs(
    client: TestClient,
    db: Database,
    portal: Portal,
    run_jobs: RunJobs,
    object_type: str,
    messages: list[dict[str, Any]],
    version: str,
) -> None:
    key = {"hapikey": portal.api_key}
    client.put(f"{V1}/settings", params=key, json=v1_shop_settings())
    if version == "v2":
        body: Any = {"storeId": "default", "objectType": object_type, "messages": messages}
        client.put(
            f"{V2}/settings", params=key, json={"enabled": True, "mappings": shop_mappings()}
        )
        response = client.put(f"{V2}/sync/messages", params=key, content=json.dumps(body))
    else:
        body = [v1_message(m) for m in messages]
        response = client.put(
            f"{V1}/sync-messages/{object_type}", params=key, content=json.dumps(body)
        )

    assert response.status_code < 500, response.text
    if response.status_code != 204:
        assert response.status_code == 400, response.text
        assert_error_shape(response.json(), 400)
        return
    run_jobs(now=FAR_FUTURE)
    assert_every_job_done(db)
    for message in messages:
        external_id = quote(str(message["externalObjectId"]), safe="")
        status = client.get(f"{V2}/sync/status/default/{object_type}/{external_id}", params=key)
        assert status.status_code == 200, (message, status.text)
        body = status.json()
        assert body["externalObjectId"] == str(message["externalObjectId"])
        if body["errors"] and body["errors"][0]["status"] == "OPEN":
            assert body["errors"][0]["type"] != "", body


def test_ids_ending_with_a_slash_have_their_own_status(
    client: TestClient, portal: Portal, run_jobs: RunJobs
) -> None:
    key = {"hapikey": portal.api_key}
    settings = {"enabled": True, "mappings": shop_mappings()}
    assert client.put(f"{V2}/settings", params=key, json=settings).status_code == 200
    messages = [
        {"action": "UPSERT", "externalObjectId": external_id, "changedAt": 1_700_000_000_000,
         "properties": {"email": f"{n}@example.com"}}
        for n, external_id in enumerate(["b", "b/", "/"])
    ]  # fmt: skip
    batch = {"storeId": "default", "objectType": "CONTACT", "messages": messages}
    assert client.put(f"{V2}/sync/messages", params=key, json=batch).status_code == 204
    run_jobs()

    for external_id in ("b/", "/"):
        encoded = quote(external_id, safe="")
        v2 = client.get(
            f"{V2}/sync/status/default/CONTACT/{encoded}", params=key, follow_redirects=False
        )
        v1 = client.get(f"{V1}/sync-status/CONTACT/{encoded}", params=key, follow_redirects=False)
        assert (v2.status_code, v2.json()["externalObjectId"]) == (200, external_id)
        assert (v1.status_code, v1.json()["externalObjectId"]) == (200, external_id)
