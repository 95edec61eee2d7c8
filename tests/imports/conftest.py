"""An installed app whose import webhook points at a live integrator, and a client for its import
calls (OAuth token of the installation)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from ecombridge.clock import now_ms
from ecombridge.db.engine import Database
from ecombridge.queue.worker import Worker
from tests.imports.integrator import Integrator, serve
from tests.support.factories import InstalledApp
from tests.support.wire import bearer

V2 = "/extensions/ecomm/v2"
V1 = "/extensions/ecomm/v1"
STORE = "shop-1"


def mappings() -> dict[str, Any]:
    def props(*pairs: tuple[str, str]) -> dict[str, Any]:
        return {
            "properties": [
                {"externalPropertyName": ext, "hubspotPropertyName": hub} for ext, hub in pairs
            ]
        }

    return {
        "CONTACT": props(("email", "email"), ("first_name", "firstname")),
        "PRODUCT": props(("name", "name"), ("price", "price")),
        "DEAL": props(("name", "dealname"), ("amount", "amount")),
        "LINE_ITEM": props(("name", "name"), ("quantity", "quantity"), ("price", "price")),
    }


@dataclass
class Importer:
    """The integrator's side of an import, over HTTP with the installation's token."""

    client: TestClient
    app: InstalledApp
    db: Database

    @property
    def auth(self) -> dict[str, str]:
        return bearer(self.app.access_token)

    def configure(self, *, webhook_uri: str | None, trigger_uri: str | None = None) -> None:
        query = f"appId={self.app.app_id}&hapikey={self.app.developer_api_key}"
        settings = {"enabled": True, "webhookUri": webhook_uri, "mappings": mappings()}
        assert self.client.put(f"{V2}/settings?{query}", json=settings).status_code == 200
        if trigger_uri is not None:
            body = {"importTriggerUri": trigger_uri}
            response = self.client.put(f"{V1}/import-settings?{query}", json=body)
            assert response.status_code == 200

    def create_store(self, store_id: str = STORE) -> None:
        body = {"id": store_id, "label": "Shop", "adminUri": "https://shop.example/admin"}
        assert self.client.put(f"{V2}/stores", json=body, headers=self.auth).status_code == 200

    def start(self, store_id: str = STORE) -> httpx.Response:
        return self.client.post(
            f"{V2}/imports/start", json={"storeId": store_id}, headers=self.auth
        )

    def started(self, store_id: str = STORE) -> int:
        """Start an import, send its webhook; returns importStartedAt."""
        response = self.start(store_id)
        assert response.status_code == 202, response.text
        self.run_jobs()
        return int(response.json()["importStartedAt"])

    def page(self, body: dict[str, Any]) -> httpx.Response:
        return self.client.post(f"{V2}/imports/page", json=body, headers=self.auth)

    def end(self, body: dict[str, Any]) -> httpx.Response:
        return self.client.post(f"{V2}/imports/end", json=body, headers=self.auth)

    def progress(self, store_id: str = STORE, started_at: int | None = None) -> dict[str, Any]:
        path = f"{V2}/imports/{store_id}" + ("" if started_at is None else f"/{started_at}")
        response = self.client.get(path, headers=self.auth)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def run_jobs(self, *, later_ms: int = 0) -> int:
        """Run every runnable job (``later_ms`` ahead, to reach retries waiting on backoff)."""
        return Worker(self.db).drain(now=now_ms() + later_ms if later_ms else None)


@pytest.fixture
def integrator(installed_app: InstalledApp, allow_private_webhooks: None) -> Iterator[Integrator]:
    yield from serve(Integrator(installed_app.client_secret))


@pytest.fixture
def importer(
    client: TestClient, installed_app: InstalledApp, db: Database, allow_private_webhooks: None
) -> Importer:
    return Importer(client, installed_app, db)


@pytest.fixture
def ready(importer: Importer, integrator: Integrator) -> Importer:
    """An app with a v2 webhook at the live integrator and a store to import."""
    importer.configure(webhook_uri=integrator.url)
    importer.create_store()
    return importer
