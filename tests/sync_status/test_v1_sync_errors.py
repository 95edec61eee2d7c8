"""v1 sync-error listings (store "default" era shape) and the single-object error."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.support.sync_rows import T0, ErrorRow, insert_errors
from tests.support.wire import assert_hubspot_error, bearer
from tests.sync_status.world import World, build_world

V1 = "/extensions/ecomm/v1"


@pytest.fixture
def world(db: Database) -> World:
    return build_world(db)


def ids(body: dict[str, Any]) -> list[str]:
    return [e["integratorObjectId"] for e in body["results"]]


def test_portal_key_lists_the_portals_errors_in_v1_shape(client: TestClient, world: World) -> None:
    response = client.get(f"{V1}/sync-errors?objectType=DEAL&hapikey={world.portal.api_key}")

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"portalId": world.portal.id, "objectType": "DEAL", "integratorObjectId": "own-2",
             "changeOccurredTimestamp": T0, "errorTimestamp": T0 + 60,
             "type": "INVALID_DEAL_STAGE", "details": "Email is required for contacts.",
             "status": "OPEN"}
        ]
    }  # fmt: skip
    everything = client.get(f"{V1}/sync-errors/?hapikey={world.portal.api_key}").json()
    assert ids(everything) == ["own-2", "app-2", "second-1", "app-1", "own-1"]


def test_app_token_lists_the_app_in_its_portal(client: TestClient, world: World) -> None:
    response = client.get(
        f"{V1}/sync-errors?showResolvedErrors=true",
        headers=bearer(world.app.access_token),
    )

    assert ids(response.json()) == ["app-old", "app-2", "app-1"]


def test_developer_key_with_app_id_lists_the_app(client: TestClient, world: World) -> None:
    key = world.app.developer_api_key
    with_app = client.get(f"{V1}/sync-errors?appId={world.app.app_id}&hapikey={key}")
    by_path = client.get(f"{V1}/sync-errors/app/{world.app.app_id}?hapikey={key}")
    without = client.get(f"{V1}/sync-errors?hapikey={key}")

    assert ids(with_app.json()) == ids(by_path.json()) == ["app-2", "app-1", "other-app-1"]
    assert without.status_code == 400
    assert "appId" in without.json()["message"]


def test_portal_path_needs_that_portals_key(client: TestClient, world: World) -> None:
    own = client.get(f"{V1}/sync-errors/portal/{world.portal.id}?hapikey={world.portal.api_key}")
    foreign = client.get(f"{V1}/sync-errors/portal/{world.other.id}?hapikey={world.portal.api_key}")
    as_app = client.get(
        f"{V1}/sync-errors/portal/{world.portal.id}",
        headers=bearer(world.app.access_token),
    )

    assert ids(own.json()) == ["own-2", "app-2", "second-1", "app-1", "own-1"]
    assert foreign.status_code == 403
    assert_hubspot_error(foreign.json(), "INVALID_AUTHENTICATION")
    assert as_app.status_code == 403


def test_mitxpro_style_offset_loop_ends_on_an_empty_page(
    client: TestClient, db: Database, world: World
) -> None:
    insert_errors(db, [ErrorRow(world.other.id, f"m-{i}", T0 + 100 + i) for i in range(450)])
    seen: list[int] = []
    offset = 0
    while True:
        body = client.get(
            f"{V1}/sync-errors?limit=200&offset={offset}&hapikey={world.other.api_key}"
        ).json()
        if not body["results"]:
            break
        seen += [e["errorTimestamp"] for e in body["results"]]
        offset += len(body["results"])

    assert len(seen) == 452
    assert seen == sorted(seen, reverse=True)


def test_object_error_is_a_single_object(client: TestClient, world: World) -> None:
    headers = bearer(world.app.access_token)

    response = client.get(f"{V1}/sync-errors/object/LINE_ITEM/app-2", headers=headers)

    assert response.status_code == 200
    assert response.json()["integratorObjectId"] == "app-2"
    assert response.json()["details"] == (
        "Invalid associations [hs_assoc__deal_id: d-9]. Do those objects exist?"
    )


def test_object_error_hides_resolved_unless_asked(client: TestClient, world: World) -> None:
    headers = bearer(world.app.access_token)
    url = f"{V1}/sync-errors/object/CONTACT/app-old"

    hidden = client.get(url, headers=headers)
    shown = client.get(f"{url}?showResolvedErrors=true", headers=headers)

    assert hidden.status_code == 404
    assert_hubspot_error(hidden.json(), "OBJECT_NOT_FOUND")
    assert shown.status_code == 200
    assert shown.json()["status"] == "RESOLVED"


def test_object_error_of_an_object_without_errors_is_404(client: TestClient, world: World) -> None:
    response = client.get(f"{V1}/sync-errors/object/CONTACT/nobody?hapikey={world.portal.api_key}")

    assert response.status_code == 404
    assert_hubspot_error(response.json(), "OBJECT_NOT_FOUND")


def test_v1_error_type_filter_accepts_all_v1_values(client: TestClient, world: World) -> None:
    url = f"{V1}/sync-errors?hapikey={world.portal.api_key}"

    assert client.get(f"{url}&errorType=CREATE_FAIL_NO_INFO").json() == {"results": []}
    assert client.get(f"{url}&objectType=COMPANY").json() == {"results": []}
    assert client.get(f"{url}&errorType=WHATEVER").status_code == 400
