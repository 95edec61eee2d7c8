"""Fixtures of the web UI's tests: a signed-in user of a seeded portal, and a stranger's portal."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.support.factories import Portal
from tests.web.factories import PASSWORD, Shop, make_user, seed_shop

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    page = client.get("/app/login")
    response = client.post(
        "/app/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


@pytest.fixture
def shop(db: Database, portal: Portal) -> Shop:
    return seed_shop(db, portal.id)


@pytest.fixture
def user_client(client: TestClient, db: Database, portal: Portal, shop: Shop) -> TestClient:
    make_user(db, portal.id, "owner@example.com")
    sign_in(client, "owner@example.com")
    return client
