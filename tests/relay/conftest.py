"""Fixtures of the relay tests: one target bridge process per module (a stand-in for a HubSpot
portal), a fresh portal of it per test, a shop syncing into our bridge, and the requests the
relay sends recorded (and checked against the SDK's request models)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hubspot import HubSpot
from urllib3.util.retry import Retry

from ecombridge.db.engine import Database
from ecombridge.outbound.addresses import ALLOW_PRIVATE_ENV
from ecombridge.relay import client as relay_client
from tests.imports.conftest import importer, integrator  # noqa: F401 (the import tests' fixtures)
from tests.relay.sdk_models import check_request
from tests.relay.target import Recorder, TargetPortal, TargetServer
from tests.support.factories import Portal
from tests.support.jobs import RunJobs
from tests.workflows.shop import Clock, Shop

DESTINATIONS = "/relay/v1/destinations"


@pytest.fixture(scope="module")
def target_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TargetServer]:
    server = TargetServer(tmp_path_factory.mktemp("target"))
    yield server
    server.stop()


@pytest.fixture
def target(target_server: TargetServer) -> TargetPortal:
    return target_server.new_portal()


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    """What the relay sends, recorded; every body must parse as the SDK's request model."""
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "127.0.0.0/8")
    found = Recorder()
    monkeypatch.setattr(relay_client, "inner_transport", found.transport)
    yield found
    for sent in found.sent:
        check_request(sent.method, sent.path, sent.body)


@pytest.fixture
def shop(
    client: TestClient,
    db: Database,
    portal: Portal,
    run_jobs: RunJobs,
    monkeypatch: pytest.MonkeyPatch,
) -> Shop:
    return Shop(client, db, portal.id, portal.api_key, run_jobs, Clock(monkeypatch)).set_up()


def sdk(target: TargetPortal) -> Any:
    retry = Retry(
        total=8, status_forcelist=(429,), backoff_factor=0.5, respect_retry_after_header=True
    )
    return HubSpot(access_token=target.token, host=target.url, retry=retry)


def add_destination(shop: Shop, target: TargetPortal, **extra: Any) -> int:
    body = {"baseUrl": target.url, "accessToken": target.token, **extra}
    response = shop.client.post(shop.url(DESTINATIONS), json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["destinationId"])


def destination(shop: Shop, dest_id: int) -> dict[str, Any]:
    response = shop.client.get(shop.url(f"{DESTINATIONS}/{dest_id}"))
    assert response.status_code == 200, response.text
    return dict(response.json())
