"""Installing an app gives the portal its CRM schema, so the app can sync to the "default" store
without defining a store first (as hubspot3's default ``store_id`` does)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ecombridge.crm_schema.pipelines import ecommerce_stages
from ecombridge.db.engine import Database
from tests.support.factories import make_installed_app, make_portal
from tests.support.jobs import RunJobs
from tests.support.wire import bearer

V2 = "/extensions/ecomm/v2"


def test_installing_an_app_creates_the_portal_schema(db: Database) -> None:
    portal = make_portal(db)
    make_installed_app(db, portal.id)
    with db.read() as conn:
        assert "processed" in ecommerce_stages(conn, portal.id)[1]


def test_an_app_syncs_to_the_default_store_right_after_installing(
    client: TestClient, db: Database, run_jobs: RunJobs
) -> None:
    app = make_installed_app(db, make_portal(db).id)
    settings = {
        "enabled": True,
        "mappings": {
            "CONTACT": {
                "properties": [{"externalPropertyName": "mail", "hubspotPropertyName": "email"}]
            }
        },
    }
    query: dict[str, str | int] = {"appId": app.app_id, "hapikey": app.developer_api_key}
    assert client.put(f"{V2}/settings", params=query, json=settings).status_code == 200
    auth = bearer(app.access_token)
    batch = {
        "storeId": "default",
        "objectType": "CONTACT",
        "messages": [
            {"action": "UPSERT", "externalObjectId": "1", "properties": {"mail": "a@example.com"}}
        ],
    }
    assert client.put(f"{V2}/sync/messages", json=batch, headers=auth).status_code == 204
    run_jobs()

    status = client.get(f"{V2}/sync/status/default/CONTACT/1", headers=auth).json()
    assert status["errors"] == []
    assert isinstance(status["hubspotId"], int)
