"""Rate limits on the wire, with tiny limits: HubSpot's headers on every API answer, its 429
with Retry-After, per-credential counting, the daily limit, what stays outside the limits, and
one count shared by every API process of a database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ecombridge.api.app import create_app
from ecombridge.config import Config
from ecombridge.db.engine import Database
from tests.support.factories import InstalledApp, Portal, make_portal
from tests.support.wire import bearer

CRM = "/crm/v3/properties/contacts"
SYNC = "/extensions/ecomm/v2/sync/messages"


def limited_app(
    database_url: str, db: Database, store: str = "memory", daily: int = 100
) -> FastAPI:
    config = Config(
        database_url=database_url, rate_limit="3/60s", daily_limit=daily, rate_limit_store=store
    )
    return create_app(config, db)


@pytest.fixture
def limited(database_url: str, db: Database) -> Iterator[TestClient]:
    with TestClient(limited_app(database_url, db), raise_server_exceptions=False) as client:
        yield client


def test_every_api_answer_carries_the_limits(limited: TestClient, portal: Portal) -> None:
    first = limited.get(CRM, params={"hapikey": portal.api_key})
    assert first.status_code == 200
    assert first.headers["X-HubSpot-RateLimit-Max"] == "3"
    assert first.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "60000"
    assert first.headers["X-HubSpot-RateLimit-Remaining"] == "2"
    assert first.headers["X-HubSpot-RateLimit-Daily"] == "100"
    assert first.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "99"
    assert first.headers["X-HubSpot-RateLimit-Secondly"] == "1"
    # Errors count too, and carry the headers.
    missing = limited.get(f"{CRM}/nope", params={"hapikey": portal.api_key})
    assert missing.status_code == 404
    assert missing.headers["X-HubSpot-RateLimit-Remaining"] == "1"


def test_over_the_limit_is_hubspots_429(limited: TestClient, portal: Portal) -> None:
    key = {"hapikey": portal.api_key}
    for _ in range(3):
        assert limited.get(CRM, params=key).status_code == 200
    refused = limited.get(CRM, params=key)
    assert refused.status_code == 429
    body = refused.json()
    assert body["status"] == "error" and body["errorType"] == "RATE_LIMIT"
    assert body["policyName"] == "TEN_SECONDLY_ROLLING" or body["policyName"].startswith("ROLLING")
    assert body["message"] == f"You have reached your {body['policyName'].lower()} limit."
    assert body["groupName"].endswith(f":{portal.id}") and body["correlationId"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 80
    assert refused.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    # Refused requests are not counted: the day shows the three that were answered.
    daily = refused.headers["X-HubSpot-RateLimit-Daily-Remaining"]
    assert daily == "97"


def test_each_credential_has_its_own_count(
    limited: TestClient, db: Database, portal: Portal, installed_app: InstalledApp
) -> None:
    other = make_portal(db, "Other")
    for _ in range(3):
        limited.get(CRM, params={"hapikey": portal.api_key})
    assert limited.get(CRM, params={"hapikey": portal.api_key}).status_code == 429
    assert limited.get(CRM, params={"hapikey": other.api_key}).status_code == 200
    by_app = limited.get(CRM, headers=bearer(installed_app.access_token))
    assert by_app.status_code == 200
    # OAuth apps have no daily limit, and HubSpot sent them no daily headers.
    assert "X-HubSpot-RateLimit-Daily" not in by_app.headers
    assert by_app.headers["X-HubSpot-RateLimit-Remaining"] == "2"


def test_sync_messages_and_unauthenticated_requests_are_outside_the_limits(
    limited: TestClient, portal: Portal
) -> None:
    key = {"hapikey": portal.api_key}
    batch = {"storeId": "default", "objectType": "CONTACT", "messages": []}
    for _ in range(5):
        answered = limited.put(SYNC, params=key, json=batch)
        assert answered.status_code in (204, 400)
        assert "X-HubSpot-RateLimit-Max" not in answered.headers
    for path in ("/healthz", "/openapi.json", "/docs"):
        assert "X-HubSpot-RateLimit-Max" not in limited.get(path, params=key).headers
    for _ in range(5):
        assert limited.get(CRM, params={"hapikey": "wrong"}).status_code == 401
    assert limited.get(CRM, params=key).headers["X-HubSpot-RateLimit-Remaining"] == "2"


def test_the_daily_limit(database_url: str, db: Database, portal: Portal) -> None:
    with TestClient(limited_app(database_url, db, daily=2)) as client:
        key = {"hapikey": portal.api_key}
        usage = client.get("/integrations/v1/limit/daily", params=key).json()[0]
        assert (usage["usageLimit"], usage["currentUsage"]) == (2, 1)
        assert client.get(CRM, params=key).status_code == 200
        refused = client.get(CRM, params=key)
        assert refused.status_code == 429
        assert refused.json()["policyName"] == "DAILY"
        assert refused.json()["message"] == "You have reached your daily limit."
        assert int(refused.headers["Retry-After"]) <= 86_400


def test_api_processes_of_one_database_share_the_count(
    database_url: str, db: Database, portal: Portal
) -> None:
    # Two API processes: two applications with their own state, one database.
    other_db = Database(database_url, sqlite_synchronous="NORMAL")
    first = TestClient(limited_app(database_url, db, store="database"))
    second = TestClient(limited_app(database_url, other_db, store="database"))
    try:
        key = {"hapikey": portal.api_key}
        remaining = [
            client.get(CRM, params=key).headers["X-HubSpot-RateLimit-Remaining"]
            for client in (first, second, first)
        ]
        assert remaining == ["2", "1", "0"]
        assert second.get(CRM, params=key).status_code == 429
        usage = first.get("/integrations/v1/limit/daily", params=key)
        assert usage.status_code == 429  # the limit covers the usage probe too
    finally:
        other_db.dispose()
