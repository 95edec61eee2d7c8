"""The store page's import section: starting an import and every state of its progress."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ecombridge.clock import now_ms
from ecombridge.config import Config
from ecombridge.db.engine import Database
from ecombridge.db.tables import import_types, imports, users
from tests.support.factories import InstalledApp, Portal
from tests.web.conftest import csrf_of, sign_in
from tests.web.factories import insert_store, make_user


@pytest.fixture
def app_store(db: Database, installed_app: InstalledApp) -> InstalledApp:
    with db.write() as conn:
        insert_store(conn, installed_app.portal_id, installed_app.app_id, "s1", "App shop", "x")
    return installed_app


def _import(
    db: Database, app: InstalledApp, state: str, applied: int, reason: str | None = None
) -> None:
    now = now_ms()
    with db.write() as conn:
        import_id = conn.execute(
            sa.insert(imports)
            .values(
                portal_id=app.portal_id,
                app_id=app.app_id,
                store_id="s1",
                started_at=now,
                api_version=2,
                state=state,
                failure_reason=reason,
                events=[],
                created_at=now,
                updated_at=now,
            )
            .returning(imports.c.id)
        ).scalar_one()
        for settings_id, object_type in enumerate(("PRODUCT", "CONTACT", "LINE_ITEM", "DEAL"), 1):
            conn.execute(
                sa.insert(import_types).values(
                    import_id=import_id,
                    object_type=object_type,
                    settings_id=settings_id,
                    announced=10,
                    received_items=10,
                    applied=applied // 4,
                )
            )


@pytest.mark.parametrize(
    ("state", "applied", "shown", "polls"),
    [
        ("RECEIVING", 0, "The app is sending its records.", True),
        ("PROCESSING", 8, "Every record arrived; the bridge is applying them.", True),
        ("COMPLETE", 40, "Every announced record was imported.", False),
        ("FAILED", 0, "The app answered 500", False),
    ],
)
def test_the_import_section_shows_each_state(
    user_client: TestClient,
    db: Database,
    app_store: InstalledApp,
    state: str,
    applied: int,
    shown: str,
    polls: bool,
) -> None:
    _import(db, app_store, state, applied, reason="The app answered 500")
    fragment = user_client.get(f"/app/stores/{app_store.app_id}/s1/import-progress").text
    assert shown in fragment
    assert ('hx-trigger="every 1s"' in fragment) is polls
    assert ("disabled" in fragment) is polls
    page = user_client.get(f"/app/stores/{app_store.app_id}/s1").text
    assert "Continue importing" in page and shown in page


def test_an_import_that_cannot_start_says_why_on_the_store_page(
    user_client: TestClient, app_store: InstalledApp
) -> None:
    path = f"/app/stores/{app_store.app_id}/s1"
    token = csrf_of(user_client.get(path).text)
    response = user_client.post(f"{path}/import", data={"csrf_token": token})
    assert response.status_code == 200
    assert "has no import webhook" in response.text


def test_another_portals_store_cannot_be_imported(
    user_client: TestClient, db: Database, other_portal: Portal
) -> None:
    token = csrf_of(user_client.get("/app/stores").text)
    with db.write() as conn:
        insert_store(conn, other_portal.id, 0, "theirs", "Theirs", "x")
    response = user_client.post("/app/stores/0/theirs/import", data={"csrf_token": token})
    assert response.status_code == 404
    assert user_client.get("/app/stores/0/theirs").status_code == 404


def test_cookies_are_secure_behind_https(db: Database, database_url: str) -> None:
    from ecombridge.api.app import create_app

    config = Config(database_url=database_url, public_base_url="https://bridge.example")
    with TestClient(create_app(config, db)) as https_client:
        cookie = https_client.get("/app/login").headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_a_deleted_user_is_signed_out(client: TestClient, db: Database, portal: Portal) -> None:
    make_user(db, portal.id, "gone@example.com")
    sign_in(client, "gone@example.com")
    with db.write() as conn:
        conn.execute(sa.delete(users))
    assert client.get("/app/stores", follow_redirects=False).status_code == 303
