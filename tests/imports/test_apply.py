"""Applying an import end to end: start -> webhook -> pages -> ends -> IMPORT_APPLY through the
queue -> COMPLETE, with the records in the CRM, their sync status, resumability after a restart,
and live sync messages newer than the import winning over it."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ecombridge.api.app import create_app
from ecombridge.config import Config
from ecombridge.db import tables as t
from ecombridge.db.engine import Database
from ecombridge.imports.apply import run_import_apply
from tests.imports.conftest import STORE, V1, V2, Importer
from tests.imports.integrator import Integrator, counts_reply

PRODUCTS = [
    {"externalObjectId": "p1", "properties": {"name": "Hat", "price": "10"}},
    {"externalObjectId": "p2", "properties": {"name": "Scarf", "price": "20"}},
]
CONTACTS = [
    {"externalObjectId": "c1", "properties": {"email": "ann@shop.example", "first_name": "Ann"}},
    {"externalObjectId": "c2", "properties": {"email": "bob@shop.example", "first_name": "Bob"}},
]
DEALS = [
    {
        "externalObjectId": "d1",
        "properties": {"name": "Order 1", "amount": "30"},
        "associations": {"CONTACT": ["c1"]},
    }
]
LINE_ITEMS = [
    {
        "externalObjectId": "li1",
        "properties": {"name": "Hat", "quantity": "1", "price": "10"},
        "associations": {"DEAL": ["d1"], "PRODUCT": ["p1"]},
    },
    {
        "externalObjectId": "li2",
        "properties": {"name": "Scarf", "quantity": "1", "price": "20"},
        "associations": {"DEAL": ["d1"], "PRODUCT": ["p2"]},
    },
]
DATA = {"PRODUCT": PRODUCTS, "CONTACT": CONTACTS, "DEAL": DEALS, "LINE_ITEM": LINE_ITEMS}


def send_type(importer: Importer, started_at: int, object_type: str) -> None:
    """One page per message, in reverse page order (pages may arrive in any order)."""
    messages = DATA[object_type]
    for number in reversed(range(len(messages))):
        body = {
            "storeId": STORE,
            "importStartedAt": started_at,
            "objectType": object_type,
            "pageNumber": number,
            "messages": [messages[number]],
        }
        response = importer.page(body)
        assert response.status_code == 204, response.text
    end = {
        "storeId": STORE,
        "importStartedAt": started_at,
        "objectType": object_type,
        "pageCount": len(messages),
        "itemCount": len(messages),
    }
    assert importer.end(end).status_code == 204


def record(
    db: Database, portal_id: int, object_type: str, external_id: str, store: str = STORE
) -> tuple[int | None, dict[str, Any]]:
    """(last changedAt, CRM properties) of a synced record."""
    link = t.sync_objects
    query = (
        sa.select(link.c.last_changed_at, t.crm_objects.c.properties)
        .join(
            t.crm_objects,
            sa.and_(
                t.crm_objects.c.portal_id == link.c.portal_id,
                t.crm_objects.c.object_type == link.c.object_type,
                t.crm_objects.c.id == link.c.hubspot_id,
            ),
        )
        .where(
            link.c.portal_id == portal_id,
            link.c.store_id == store,
            link.c.object_type == object_type,
            link.c.external_id == external_id,
        )
    )
    with db.read() as conn:
        row = conn.execute(query).one()
    return row.last_changed_at, dict(row.properties)


def count(db: Database, table: sa.Table, portal_id: int) -> int:
    with db.read() as conn:
        query = sa.select(sa.func.count()).select_from(table)
        return int(conn.execute(query.where(table.c.portal_id == portal_id)).scalar_one())


def test_v2_import_end_to_end(ready: Importer, integrator: Integrator) -> None:
    integrator.replies = [counts_reply(2, 2, 2, 1)]
    started_at = ready.started()
    for object_type in ("LINE_ITEM", "DEAL", "CONTACT", "PRODUCT"):  # any order of arrival
        send_type(ready, started_at, object_type)
    assert ready.progress()["state"] == "PROCESSING"
    ready.run_jobs()

    progress = ready.progress()
    assert progress["state"] == "COMPLETE"
    assert progress["completedAt"] >= progress["createdAt"]
    assert progress["totals"] == {"announced": 7, "received": 7, "applied": 7}
    assert progress["events"][-1]["message"] == "Import applied: 7 records."
    portal_id = ready.app.portal_id
    changed_at, hat = record(ready.db, portal_id, "PRODUCT", "p1")
    assert changed_at == started_at
    assert hat["name"] == "Hat"
    assert record(ready.db, portal_id, "CONTACT", "c2")[1]["email"] == "bob@shop.example"
    assert record(ready.db, portal_id, "DEAL", "d1")[1]["dealname"] == "Order 1"
    assert count(ready.db, t.crm_objects, portal_id) == 7
    # DEAL->CONTACT, and each line item to its deal and product.
    assert count(ready.db, t.associations, portal_id) == 5

    status = ready.client.get(f"{V2}/sync/status/{STORE}/LINE_ITEM/li2", headers=ready.auth)
    assert status.status_code == 200
    assert status.json()["errors"] == []
    assert status.json()["hubspotId"] is not None


def test_v1_import_end_to_end(importer: Importer, integrator: Integrator) -> None:
    importer.configure(webhook_uri=None, trigger_uri=integrator.url)
    started_at = importer.started("default")
    base = f"{V1}/import-pages/{started_at}"
    contacts = [{"integratorObjectId": "c1", "propertyNameToValues": {"email": "ann@shop.example"}}]
    products = [{"integratorObjectId": "p1", "propertyNameToValues": {"name": "Hat"}}]
    auth = importer.auth
    assert importer.client.put(f"{base}/CONTACT/0", json=contacts, headers=auth).status_code == 204
    assert importer.client.put(f"/import-pages/{started_at}/PRODUCT/0", json=products, headers=auth)
    for object_type, n in (("CONTACT", 1), ("PRODUCT", 1), ("DEAL", 0), ("LINE_ITEM", 0)):
        body = {"pageCount": n, "itemCount": n}
        put = importer.client.put(f"{base}/{object_type}/end", json=body, headers=auth)
        assert put.status_code == 204
    importer.run_jobs()

    assert importer.progress("default")["state"] == "COMPLETE"
    portal_id = importer.app.portal_id
    assert record(importer.db, portal_id, "CONTACT", "c1", "default")[1]["email"] == (
        "ann@shop.example"
    )
    assert record(importer.db, portal_id, "PRODUCT", "p1", "default")[1]["name"] == "Hat"


def test_restart_mid_import_loses_nothing(
    ready: Importer, integrator: Integrator, config: Config, database_url: str
) -> None:
    started_at = ready.started()
    send_type(ready, started_at, "PRODUCT")
    send_type(ready, started_at, "CONTACT")
    ready.client.close()
    ready.db.dispose()

    # A new bridge process on the same database receives the rest.
    db = Database(database_url, sqlite_synchronous="NORMAL")
    try:
        with TestClient(create_app(config, db)) as client:
            again = Importer(client, ready.app, db)
            assert again.progress()["objectTypes"]["PRODUCT"]["receivedItems"] == 2
            send_type(again, started_at, "DEAL")
            send_type(again, started_at, "LINE_ITEM")
            (import_id,) = _import_ids(db)
            # The apply stops after its first chunk (as if the process died there) ...
            with pytest.raises(Stopped):
                run_import_apply(db, import_id, pages_per_chunk=1, on_chunk=_stop)
            assert again.progress()["totals"]["applied"] == 1
        # ... and another process finishes it from the cursor, without counting anything twice.
        with TestClient(create_app(config, db)) as client:
            last = Importer(client, ready.app, db)
            last.run_jobs()
            progress = last.progress()
        assert progress["state"] == "COMPLETE"
        assert progress["totals"] == {"announced": 9, "received": 7, "applied": 7}
        assert count(db, t.crm_objects, ready.app.portal_id) == 7
    finally:
        db.dispose()


class Stopped(Exception):
    pass


def _stop() -> None:
    raise Stopped


def _import_ids(db: Database) -> list[int]:
    with db.read() as conn:
        return [int(i) for i in conn.execute(sa.select(t.imports.c.id)).scalars()]


def test_newer_live_sync_wins_over_the_import(ready: Importer) -> None:
    started_at = ready.started()
    live = {
        "storeId": STORE,
        "objectType": "PRODUCT",
        "messages": [
            {
                "action": "UPSERT",
                "changedAt": started_at + 1000,
                "externalObjectId": "p1",
                "properties": {"name": "Hat (renamed live)"},
            },
            {
                "action": "UPSERT",
                "changedAt": started_at - 1000,
                "externalObjectId": "p2",
                "properties": {"name": "Scarf (older than the import)"},
            },
        ],
    }
    response = ready.client.put(f"{V2}/sync/messages", json=live, headers=ready.auth)
    assert response.status_code == 204
    ready.run_jobs()
    for object_type in DATA:
        send_type(ready, started_at, object_type)
    ready.run_jobs()

    assert ready.progress()["state"] == "COMPLETE"
    portal_id = ready.app.portal_id
    changed_at, hat = record(ready.db, portal_id, "PRODUCT", "p1")
    assert (changed_at, hat["name"]) == (started_at + 1000, "Hat (renamed live)")
    changed_at, scarf = record(ready.db, portal_id, "PRODUCT", "p2")
    assert (changed_at, scarf["name"]) == (started_at, "Scarf")


def test_cancelling_stops_the_apply_at_the_next_chunk(ready: Importer) -> None:
    started_at = ready.started()
    for object_type in DATA:
        send_type(ready, started_at, object_type)
    (import_id,) = _import_ids(ready.db)

    def cancel() -> None:
        path = f"{V2}/imports/{STORE}/{started_at}/cancel"
        assert ready.client.post(path, headers=ready.auth).status_code == 200

    run_import_apply(ready.db, import_id, pages_per_chunk=1, on_chunk=cancel)
    ready.run_jobs()  # the queued apply finds the import cancelled and does nothing
    progress = ready.progress()
    assert progress["state"] == "FAILED"
    assert progress["totals"]["applied"] == 1
    assert count(ready.db, t.crm_objects, ready.app.portal_id) == 1
