"""Fixtures every test may use: a migrated database on SQLite and on PostgreSQL, the app, a
client. Database tests run once per backend; PostgreSQL comes from ECOMBRIDGE_TEST_DATABASE_URL
and is skipped when that is unset (CI always sets it).

Each test gets an empty database: a copy of a migrated SQLite file, or the migrated PostgreSQL
database with every table truncated. (Rolling back instead is not possible: workers and live
servers in other threads must see committed data.)
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ecombridge.api.app import create_app
from ecombridge.config import Config
from ecombridge.db.engine import Database
from tests.support.databases import BACKENDS, TestDatabases

pytest_plugins = [
    "tests.support.factories",
    "tests.support.jobs",
    "tests.support.live",
    "tests.support.smtp",
]

# App client secrets are sealed with this key (PostgreSQL has no key file beside it); the key
# file of SQLite databases is tested on its own (tests/tenancy/test_secret_box.py).
os.environ.setdefault("ECOMBRIDGE_SECRET_KEY", "tests-only key: 0123456789abcdefghijklmnopqrstuv")


@pytest.fixture(scope="session")
def test_databases(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[TestDatabases]:
    # Each pytest-xdist worker has its own PostgreSQL database; without xdist: "master".
    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "master")
    databases = TestDatabases(tmp_path_factory.mktemp("databases"), worker_id)
    yield databases
    databases.close()


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest,
    test_databases: TestDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    return test_databases.fresh(request.param, tmp_path_factory.mktemp("db"))


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url, sqlite_synchronous="NORMAL")
    yield database
    database.dispose()


@pytest.fixture
def config(database_url: str) -> Config:
    return Config(database_url=database_url, public_base_url="http://testserver")


@pytest.fixture
def app(config: Config, db: Database) -> FastAPI:
    return create_app(config, db)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
