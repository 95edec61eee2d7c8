"""Fixtures of the workflow tests: a shop syncing over HTTP and a clock to move forward."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.crm.conftest import published  # noqa: F401 (the CRM tests' change-feed recorder)
from tests.imports.conftest import importer, integrator  # noqa: F401 (the import tests' fixtures)
from tests.support.factories import Portal
from tests.support.jobs import RunJobs
from tests.workflows.shop import Clock, Shop


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def shop(client: TestClient, db: Database, portal: Portal, run_jobs: RunJobs, clock: Clock) -> Shop:
    return Shop(client, db, portal.id, portal.api_key, run_jobs, clock).set_up()
