"""From the wire to CRM objects: accepted batches are applied by the workers, and duplicated or
reordered deliveries across batches converge."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from ecombridge.db.tables import crm_objects, jobs, sync_batches, sync_objects
from tests.support.jobs import RunJobs, jobs_done

V2 = "/extensions/ecomm/v2/sync/messages"
KeyedPath = Callable[[str], str]
CONTACT_MAPPINGS = {
    "CONTACT": {
        "properties": [
            {"externalPropertyName": "email", "hubspotPropertyName": "email"},
            {"externalPropertyName": "first_name", "hubspotPropertyName": "firstname"},
        ]
    }
}


def set_up_portal(client: TestClient, hapikey: KeyedPath) -> None:
    store = {"id": "shop", "label": "Shop", "adminUri": "https://shop.example"}
    assert client.put(hapikey("/extensions/ecomm/v2/stores"), json=store).status_code == 200
    settings = {"enabled": True, "webhookUri": None, "mappings": CONTACT_MAPPINGS}
    assert client.put(hapikey("/extensions/ecomm/v2/settings"), json=settings).status_code == 200


def contact(external_id: str, changed_at: int, first_name: str) -> dict[str, Any]:
    return {
        "action": "UPSERT",
        "externalObjectId": external_id,
        "changedAt": changed_at,
        "properties": {"email": f"{external_id}@example.com", "first_name": first_name},
    }


def send(client: TestClient, hapikey: KeyedPath, *messages: dict[str, Any]) -> None:
    body = {"storeId": "shop", "objectType": "CONTACT", "messages": list(messages)}
    assert client.put(hapikey(V2), json=body).status_code == 204


def first_names(db: Database) -> dict[str, str]:
    with db.read() as conn:
        rows = conn.execute(
            sa.select(sync_objects.c.external_id, crm_objects.c.properties).join(
                crm_objects,
                sa.and_(
                    crm_objects.c.portal_id == sync_objects.c.portal_id,
                    crm_objects.c.object_type == sync_objects.c.object_type,
                    crm_objects.c.id == sync_objects.c.hubspot_id,
                ),
            )
        ).all()
    return {r.external_id: r.properties["firstname"] for r in rows}


def test_accepted_batches_are_applied_and_converge(
    client: TestClient, db: Database, hapikey: KeyedPath, run_jobs: RunJobs
) -> None:
    set_up_portal(client, hapikey)
    send(client, hapikey, contact("a", 3, "A3"), contact("b", 1, "B1"))
    send(client, hapikey, contact("a", 2, "A2"), contact("b", 2, "B2"), contact("a", 3, "A3"))
    send(client, hapikey, contact("c", 1, "C1"), contact("b", 1, "B1"))
    run_jobs()
    assert jobs_done(db, "SYNC_BATCH") == 3
    assert first_names(db) == {"a": "A3", "b": "B2", "c": "C1"}
    with db.read() as conn:  # applied batches leave the inbox
        assert conn.execute(sa.select(sa.func.count()).select_from(sync_batches)).scalar_one() == 0
    status = client.get(hapikey("/extensions/ecomm/v2/sync/status/shop/CONTACT/a"))
    assert status.status_code == 200
    assert status.json()["hubspotId"] is not None


def test_serve_applies_what_it_accepts_without_polling_delay(
    app: FastAPI, db: Database, hapikey: KeyedPath
) -> None:
    app.state.worker_count = 1
    with TestClient(app) as client:
        set_up_portal(client, hapikey)
        send(client, hapikey, contact("a", 1, "A1"))
        deadline = time.monotonic() + 10
        while first_names(db) != {"a": "A1"} and time.monotonic() < deadline:
            time.sleep(0.01)
    assert first_names(db) == {"a": "A1"}
    with db.read() as conn:
        batch_jobs = sa.select(jobs.c.status).where(jobs.c.kind == "SYNC_BATCH")
        assert conn.execute(batch_jobs).scalars().all() == ["DONE"]
