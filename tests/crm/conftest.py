"""Fixtures of the CRM API tests: the shop's portal, a client with its token, the change feed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ecombridge import change_feed
from ecombridge.change_feed import Changes
from ecombridge.db.engine import Database
from tests.crm.shop import Shop, build_shop
from tests.crm.writes_support import Crm


@pytest.fixture
def shop(db: Database) -> Shop:
    return build_shop(db)


@pytest.fixture
def crm(client: TestClient, shop: Shop) -> Crm:
    return Crm(client, shop.token)


@pytest.fixture
def published() -> Iterator[list[Changes]]:
    """What the change feed's listeners are handed, in order."""
    seen: list[Changes] = []

    def record(conn: object, changes: Changes) -> None:
        seen.append(changes)

    change_feed.listener(record)
    yield seen
    change_feed._listeners.remove(record)
