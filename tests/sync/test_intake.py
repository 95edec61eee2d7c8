"""Sync-message intake (v2 ``PUT /sync/messages``, v1 ``PUT /sync-messages/{objectType}``):
the batch and its job are stored before the 204; what clients really send is accepted."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ecombridge.clock import now_ms
from ecombridge.db.engine import Database
from ecombridge.db.tables import jobs, portals, sync_batches
from ecombridge.stores import service as stores
from ecombridge.sync.messages import Message, decode_messages
from tests.support.factories import InstalledApp, Portal, make_private_app_token
from tests.support.inbox import queue_inbox

V2 = "/extensions/ecomm/v2/sync/messages"
V1 = "/extensions/ecomm/v1/sync-messages"
KeyedPath = Callable[[str], str]
OK_MESSAGE = {"action": "UPSERT", "externalObjectId": "o1", "changedAt": 1}


def stored(db: Database) -> list[dict[str, Any]]:
    """Every stored batch with its decoded messages and its job (once a worker has moved what
    waits in the SQLite inbox into the queue)."""
    queue_inbox(db)
    with db.read() as conn:
        batches = conn.execute(sa.select(sync_batches).order_by(sync_batches.c.id)).all()
        queued = conn.execute(sa.select(jobs).order_by(jobs.c.id)).all()
    return [
        {
            "portal_id": b.portal_id,
            "source_app_id": b.source_app_id,
            "store_id": b.store_id,
            "object_type": b.object_type,
            "message_count": b.message_count,
            "messages": decode_messages(b.payload),
            "job": [(j.kind, j.status, j.portal_id) for j in queued if j.ref_id == b.id],
        }
        for b in batches
    ]


def make_store(db: Database, portal_id: int, store_id: str, source_app_id: int = 0) -> None:
    with db.write() as conn:
        stores.put_store(conn, portal_id, source_app_id, stores.Store(store_id, "Shop"))


def test_a_v2_batch_is_stored_with_its_job_before_the_204(
    client: TestClient, db: Database, portal: Portal, hapikey: KeyedPath
) -> None:
    body = {
        "storeId": "default",
        "objectType": "DEAL",
        "messages": [
            {
                "action": "UPSERT",
                "changedAt": 1542092841947,
                "externalObjectId": "1000",
                "properties": {"name": "1000", "stage": "processed"},
                "associations": {"CONTACT": ["daniel452834529"]},
            },
            {"action": "DELETE", "changedAt": 1542092841948, "externalObjectId": "999"},
        ],
    }
    response = client.put(hapikey(V2), json=body)
    assert response.status_code == 204
    assert response.content == b""
    [batch] = stored(db)
    assert batch == {
        "portal_id": portal.id,
        "source_app_id": 0,
        "store_id": "default",
        "object_type": "DEAL",
        "message_count": 2,
        "messages": [
            Message(
                "1000",
                "UPSERT",
                1542092841947,
                {"name": "1000", "stage": "processed"},
                {"CONTACT": ["daniel452834529"]},
            ),
            Message("999", "DELETE", 1542092841948, {}, {}),
        ],
        "job": [("SYNC_BATCH", "QUEUED", portal.id)],
    }


def test_what_real_clients_send_is_normalised(
    client: TestClient, db: Database, installed_app: InstalledApp
) -> None:
    before = now_ms()
    body = {
        "storeId": "default",
        "objectType": "LINE_ITEM",
        "PS_version": "1.7.8",
        "PS_Hubspot_version": "2.0.1",
        "messages": [
            {
                "action": "UPSERT",
                "externalObjectId": 42,
                "changedAt": "1600000000000",
                "associations": {"DEAL": [7], "PRODUCT": ["sku-1"]},
                "extra": True,
            },
            {
                "action": "UPSERT",
                "externalObjectId": "a@b.c",
                "changedAt": 1650000000000.0,
                "properties": {"quantity": 2, "price": "9.90", "gift": False, "note": ""},
            },
            {"action": "UPSERT", "externalObjectId": "no-time", "properties": {}},
            {"action": "UPSERT", "externalObjectId": "spaced", "changedAt": " 1700000000000 "},
        ],
    }
    response = client.put(
        V2 + "/?",
        json=body,
        headers={"Authorization": f"Bearer {installed_app.access_token}"},
    )
    assert response.status_code == 204, response.text
    [batch] = stored(db)
    assert (batch["source_app_id"], batch["object_type"]) == (installed_app.app_id, "LINE_ITEM")
    first, second, third, fourth = batch["messages"]
    assert first == Message(
        "42", "UPSERT", 1600000000000, {}, {"DEAL": ["7"], "PRODUCT": ["sku-1"]}
    )
    assert second == Message(
        "a@b.c",
        "UPSERT",
        1650000000000,
        {"quantity": 2, "price": "9.90", "gift": False, "note": ""},
        {},
    )
    assert third.external_id == "no-time" and before <= third.changed_at <= now_ms()
    assert fourth.changed_at == 1700000000000


def test_v1_takes_a_bare_array_into_the_default_store(
    client: TestClient, db: Database, portal: Portal, hapikey: KeyedPath
) -> None:
    body = [
        {
            "integratorObjectId": "mitxpro-16",
            "action": "UPSERT",
            "changeOccurredTimestamp": 1558727887000,
            "propertyNameToValues": {"email": "a@b.c", "first_name": "A"},
        },
        {
            "integratorObjectId": 17,
            "action": "UPSERT",
            "changeOccurredTimestamp": "1558727887001",
            "propertyNamesToValues": {"email": "b@b.c"},
        },
        {"integratorObjectId": "18", "action": "DELETE", "changeOccurredTimestamp": 1},
    ]
    response = client.put(hapikey(V1 + "/CONTACT/"), json=body)
    assert response.status_code == 204
    assert response.content == b""
    [batch] = stored(db)
    assert (batch["store_id"], batch["object_type"]) == ("default", "CONTACT")
    assert batch["messages"] == [
        Message("mitxpro-16", "UPSERT", 1558727887000, {"email": "a@b.c", "first_name": "A"}, {}),
        Message("17", "UPSERT", 1558727887001, {"email": "b@b.c"}, {}),
        Message("18", "DELETE", 1, {}, {}),
    ]
    assert batch["job"] == [("SYNC_BATCH", "QUEUED", portal.id)]


def test_an_empty_batch_is_accepted_and_stores_nothing(
    client: TestClient, db: Database, hapikey: KeyedPath
) -> None:
    v2 = client.put(
        hapikey(V2), json={"storeId": "default", "objectType": "PRODUCT", "messages": []}
    )
    v1 = client.put(hapikey(V1 + "/PRODUCT"), json=[])
    assert (v2.status_code, v2.content, v1.status_code, v1.content) == (204, b"", 204, b"")
    assert stored(db) == []


def test_messages_go_to_the_named_store_of_the_caller(
    client: TestClient, db: Database, portal: Portal, hapikey: KeyedPath
) -> None:
    make_store(db, portal.id, "shop-1")
    message = {"action": "UPSERT", "externalObjectId": "p1", "changedAt": 5}
    response = client.put(
        hapikey(V2), json={"storeId": "shop-1", "objectType": "PRODUCT", "messages": [message]}
    )
    assert response.status_code == 204
    assert [b["store_id"] for b in stored(db)] == ["shop-1"]


def test_a_store_of_another_source_is_unknown(
    client: TestClient, db: Database, installed_app: InstalledApp
) -> None:
    make_store(db, installed_app.portal_id, "portal-shop", source_app_id=0)
    response = client.put(
        V2,
        json={
            "storeId": "portal-shop",
            "objectType": "PRODUCT",
            "messages": [{"action": "UPSERT", "externalObjectId": "p1"}],
        },
        headers={"Authorization": f"Bearer {installed_app.access_token}"},
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("storeId: unknown store 'portal-shop'")
    assert stored(db) == []


def test_sync_messages_need_a_portal_credential(
    client: TestClient, db: Database, installed_app: InstalledApp
) -> None:
    body = {"storeId": "default", "objectType": "PRODUCT", "messages": []}
    assert client.put(V2, json=body).status_code == 401
    developer = client.put(V2 + f"?hapikey={installed_app.developer_api_key}", json=body)
    assert developer.status_code == 403
    assert client.put(V1 + "/PRODUCT", json=[]).status_code == 401


@pytest.mark.parametrize("count", [200, 201])
def test_at_most_200_messages_per_request(
    client: TestClient, db: Database, hapikey: KeyedPath, count: int
) -> None:
    messages = [{"action": "UPSERT", "externalObjectId": str(i)} for i in range(count)]
    v2 = client.put(
        hapikey(V2), json={"storeId": "default", "objectType": "CONTACT", "messages": messages}
    )
    v1 = client.put(
        hapikey(V1 + "/CONTACT"),
        json=[{"integratorObjectId": str(i), "action": "UPSERT"} for i in range(count)],
    )
    if count == 200:
        assert (v2.status_code, v1.status_code) == (204, 204)
        assert [b["message_count"] for b in stored(db)] == [200, 200]
    else:
        assert (v2.status_code, v1.status_code) == (400, 400)
        assert v2.json()["message"] == "messages: 201 messages; send at most 200 per request"
        assert stored(db) == []


def test_concurrent_requests_are_each_filed_once(
    client: TestClient, db: Database, portal: Portal, hapikey: KeyedPath
) -> None:
    make_store(db, portal.id, "shop-1")

    def put(i: int) -> int:
        store = "shop-1" if i % 3 else "missing"
        body = {
            "storeId": store,
            "objectType": "PRODUCT",
            "messages": [{"action": "UPSERT", "externalObjectId": f"p{i}"}],
        }
        return client.put(hapikey(V2), json=body).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(put, range(30)))
    assert codes == [400 if i % 3 == 0 else 204 for i in range(30)]
    filed = sorted(b["messages"][0].external_id for b in stored(db))
    assert filed == sorted(f"p{i}" for i in range(30) if i % 3)


def test_a_private_app_token_writes_as_the_portal_s_own_integration(
    client: TestClient, db: Database, portal: Portal
) -> None:
    token = make_private_app_token(db, portal.id)
    body = {"storeId": "default", "objectType": "DEAL", "messages": [OK_MESSAGE]}
    response = client.put(V2, json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 204
    assert [(b["portal_id"], b["source_app_id"]) for b in stored(db)] == [(portal.id, 0)]


def test_an_inactive_portal_s_batches_are_accepted_and_judged_when_applied(
    client: TestClient, db: Database, portal: Portal, hapikey: KeyedPath
) -> None:
    with db.write() as conn:
        conn.execute(portals.update().where(portals.c.id == portal.id).values(active=False))
    body = {"storeId": "default", "objectType": "DEAL", "messages": [OK_MESSAGE]}
    response = client.put(hapikey(V2), json=body)
    assert response.status_code == 204
    assert len(stored(db)) == 1
