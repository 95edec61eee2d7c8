"""hubspot3's three sync-error readers against a live server: its page loop ends and returns
every error exactly once, newest first."""

from __future__ import annotations

import pytest
from hubspot3.ecommerce_bridge import EcommerceBridgeClient

from ecombridge.db.engine import Database
from tests.support.live import LiveServer
from tests.support.sync_rows import T0, ErrorRow, insert_errors
from tests.sync_status.world import World, build_world


@pytest.fixture
def world(db: Database) -> World:
    world = build_world(db)
    # Enough errors for three pages of 200 in the portal, all sent by the app.
    insert_errors(
        db,
        [
            ErrorRow(world.portal.id, f"bulk-{i:03d}", T0 + 1000 + i % 50,
                     source_app_id=world.app.app_id, object_type="PRODUCT")
            for i in range(450)
        ],
    )  # fmt: skip
    return world


def _keys(errors: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(e["portalId"], e["objectType"], e["externalObjectId"]) for e in errors]


def test_errors_for_account_with_portal_key(live_server: LiveServer, world: World) -> None:
    client = EcommerceBridgeClient(api_key=world.portal.api_key, api_base=live_server.url)

    errors = client.get_sync_errors_for_account()

    assert len(errors) == 455
    assert len(set(_keys(errors))) == 455
    stamps = [e["erroredAt"] for e in errors]
    assert stamps == sorted(stamps, reverse=True)
    assert errors[-1]["externalObjectId"] == "own-1"


def test_errors_for_app_with_developer_key(live_server: LiveServer, world: World) -> None:
    client = EcommerceBridgeClient(api_key=world.app.developer_api_key, api_base=live_server.url)

    errors = client.get_sync_errors_for_app(world.app.app_id, include_resolved=True)

    assert len(errors) == 454  # 450 + app-1, app-2, app-old (resolved), other-app-1
    assert len(set(_keys(errors))) == 454
    assert {e["portalId"] for e in errors} == {world.portal.id, world.other.id}


def test_errors_for_app_and_account_with_access_token(
    live_server: LiveServer, world: World
) -> None:
    client = EcommerceBridgeClient(access_token=world.app.access_token, api_base=live_server.url)

    errors = client.get_sync_errors_for_app_and_account(object_type="LINE_ITEM")
    everything = client.get_sync_errors_for_app_and_account()

    assert [e["externalObjectId"] for e in errors] == ["app-2"]
    assert len(everything) == 452
    assert len(set(_keys(everything))) == 452


def test_limit_and_starting_page(live_server: LiveServer, world: World) -> None:
    client = EcommerceBridgeClient(access_token=world.app.access_token, api_base=live_server.url)
    everything = client.get_sync_errors_for_app_and_account()

    assert client.get_sync_errors_for_app_and_account(limit=5) == everything[:5]
    assert client.get_sync_errors_for_app_and_account(starting_page=301) == everything[300:]
