"""Fixtures of the workflow tests: a shop syncing over HTTP and a clock to move forward."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.imports.conftest import Importer
from tests.imports.integrator import Integrator, serve
from tests.support.factories import InstalledApp, Portal
from tests.support.jobs import RunJobs
from tests.workflows.shop import Clock, Shop


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def shop(client: TestClient, db: Database, portal: Portal, run_jobs: RunJobs, clock: Clock) -> Shop:
    return Shop(client, db, portal.id, portal.api_key, run_jobs, clock).set_up()


@pytest.fixture
def integrator(installed_app: InstalledApp) -> Iterator[Integrator]:
    yield from serve(Integrator(installed_app.client_secret))


@pytest.fixture
def importer(client: TestClient, installed_app: InstalledApp, db: Database) -> Importer:
    return Importer(client, installed_app, db)
