"""The store page's import section: starting an import and every state of its progress."""

from __future__ import annotations

import re

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
    db: Database,
    app: InstalledApp,
    state: str,
    applied: int,
    reason: str | None = None,
    received: int = 10,
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
                events=[{"at": now, "message": "Import started; sending the import webhook."}],
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
                    received_items=received,
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


def test_phases_never_go_backwards_and_a_short_import_says_so(
    user_client: TestClient, db: Database, app_store: InstalledApp
) -> None:
    path = f"/app/stores/{app_store.app_id}/s1/import-progress"
    _import(db, app_store, "PROCESSING", 0)
    applying = user_client.get(path).text
    # Everything arrived: receiving stays full while applying starts from zero
    assert re.search(r'data-phase="received".*?data-percent="100"', applying, re.S)
    assert re.search(r'data-phase="applied".*?data-percent="0"', applying, re.S)
    assert "Cancel import" in applying and "Import started; sending" in applying
    with db.write() as conn:
        conn.execute(sa.delete(import_types))
        conn.execute(sa.delete(imports))
    _import(db, app_store, "COMPLETE", 28, received=7)
    short = user_client.get(path).text
    assert "Completed with differences" in short and 'id="import-differences"' in short
    assert "Cancel import" not in short


def test_an_import_can_be_cancelled_from_the_page(
    user_client: TestClient, db: Database, app_store: InstalledApp
) -> None:
    _import(db, app_store, "RECEIVING", 0)
    page = f"/app/stores/{app_store.app_id}/s1"
    text = user_client.get(page).text
    started_at = re.search(r'name="started_at" value="(\d+)"', text)
    assert started_at
    form = {"csrf_token": csrf_of(text), "started_at": started_at.group(1)}
    cancelled = user_client.post(f"{page}/import/cancel", data=form)
    assert cancelled.status_code == 200 and cancelled.url.query == b"notice=cancelled"
    assert "Import cancelled." in cancelled.text and 'data-state="FAILED"' in cancelled.text
    again = user_client.post(f"{page}/import/cancel", data=form)
    assert "had already finished" in again.text


def test_a_message_cannot_be_put_on_the_page_through_its_address(
    user_client: TestClient, app_store: InstalledApp
) -> None:
    page = user_client.get(f"/app/stores/{app_store.app_id}/s1?error=Call+us&problem=Call+us")
    assert "Call us" not in page.text


def test_an_import_that_cannot_start_says_why_on_the_store_page(
    user_client: TestClient, app_store: InstalledApp
) -> None:
    path = f"/app/stores/{app_store.app_id}/s1"
    token = csrf_of(user_client.get(path).text)
    response = user_client.post(f"{path}/import", data={"csrf_token": token})
    assert response.status_code == 200
    assert "The app has no import webhook yet." in response.text
    assert response.url.query == b"problem=no-webhook"


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
