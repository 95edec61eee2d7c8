"""Small factories: one function per thing a test needs, each returning what callers use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from ecombridge.db.engine import Database
from ecombridge.tenancy import service as tenancy


@dataclass(frozen=True)
class Portal:
    id: int
    api_key: str


@dataclass(frozen=True)
class InstalledApp:
    app_id: int
    developer_api_key: str
    client_id: str
    client_secret: str
    portal_id: int
    access_token: str
    refresh_token: str


def make_portal(db: Database, name: str = "Test portal") -> Portal:
    with db.write() as conn:
        created = tenancy.create_portal(conn, name)
    return Portal(created.portal_id, created.api_key)


def make_installed_app(
    db: Database, portal_id: int, name: str = "Test app", scopes: str = tenancy.DEFAULT_SCOPES
) -> InstalledApp:
    with db.write() as conn:
        app = tenancy.create_app(conn, name)
        tokens = tenancy.install_app(conn, app.app_id, portal_id, scopes, ttl_s=1800)
    return InstalledApp(
        app.app_id,
        app.developer_api_key,
        app.client_id,
        app.client_secret,
        portal_id,
        tokens.access_token,
        tokens.refresh_token,
    )


def make_private_app_token(db: Database, portal_id: int) -> str:
    with db.write() as conn:
        return tenancy.create_private_app_token(conn, portal_id)


@pytest.fixture
def portal(db: Database) -> Portal:
    return make_portal(db)


@pytest.fixture
def other_portal(db: Database) -> Portal:
    return make_portal(db, "Other portal")


@pytest.fixture
def installed_app(db: Database, portal: Portal) -> InstalledApp:
    return make_installed_app(db, portal.id)


@pytest.fixture
def hapikey(portal: Portal) -> Callable[[str], str]:
    """Append the portal's key to a path: ``hapikey("/x")`` -> ``/x?hapikey=...``."""

    def with_key(path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{path}{sep}hapikey={portal.api_key}"

    return with_key
