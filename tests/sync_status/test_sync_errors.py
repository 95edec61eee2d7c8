"""v2 sync-error listings: who sees which errors, filters, resolved errors, paging."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.support.sync_rows import T0, ErrorRow, insert_errors
from tests.support.wire import assert_hubspot_error, bearer
from tests.sync_status.world import World, build_world

ERRORS = "/extensions/ecomm/v2/sync/errors"


@pytest.fixture
def world(db: Database) -> World:
    return build_world(db)


def ids(body: dict[str, Any]) -> list[str]:
    return [e["externalObjectId"] for e in body["results"]]


def test_app_token_lists_the_apps_open_errors_in_its_portal(
    client: TestClient, world: World
) -> None:
    response = client.get(ERRORS, headers=bearer(world.app.access_token))

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"portalId": world.portal.id, "storeId": "default", "objectType": "LINE_ITEM",
             "externalObjectId": "app-2", "changedAt": T0, "erroredAt": T0 + 50,
             "type": "INVALID_ASSOCIATION_PROPERTY",
             "details": "Invalid associations [hs_assoc__deal_id: d-9]. Do those objects exist?",
             "status": "OPEN"},
            {"portalId": world.portal.id, "storeId": "default", "objectType": "CONTACT",
             "externalObjectId": "app-1", "changedAt": T0, "erroredAt": T0 + 30,
             "type": "MISSING_REQUIRED_PROPERTY", "details": "Email is required for contacts.",
             "status": "OPEN"},
        ]
    }  # fmt: skip


def test_same_app_in_another_portal_sees_only_that_portal(client: TestClient, world: World) -> None:
    assert ids(client.get(ERRORS, headers=bearer(world.other_token)).json()) == ["other-app-1"]


@pytest.mark.parametrize("param", ["includeResolved", "showResolvedErrors"])
def test_resolved_errors_are_shown_on_request(client: TestClient, world: World, param: str) -> None:
    body = client.get(f"{ERRORS}?{param}=true", headers=bearer(world.app.access_token)).json()

    assert ids(body) == ["app-old", "app-2", "app-1"]
    assert body["results"][0]["status"] == "RESOLVED"


def test_portal_key_lists_every_error_of_the_portal(client: TestClient, world: World) -> None:
    response = client.get(f"{ERRORS}/portal?hapikey={world.portal.api_key}")

    assert response.status_code == 200
    assert ids(response.json()) == ["own-2", "app-2", "second-1", "app-1", "own-1"]
    assert response.json()["results"][2]["storeId"] == "shop-2"


def test_developer_key_lists_the_apps_errors_across_portals(
    client: TestClient, world: World
) -> None:
    url = f"{ERRORS}/app/{world.app.app_id}?hapikey={world.app.developer_api_key}"

    body = client.get(url).json()

    assert ids(body) == ["app-2", "app-1", "other-app-1"]
    assert {e["portalId"] for e in body["results"]} == {world.portal.id, world.other.id}


def test_developer_key_of_another_app_is_refused(client: TestClient, world: World) -> None:
    url = f"{ERRORS}/app/{world.app.app_id}?hapikey={world.second_app.developer_api_key}"

    response = client.get(url)

    assert response.status_code == 403
    assert_hubspot_error(response.json(), "INVALID_AUTHENTICATION")


def test_unknown_app_is_404(client: TestClient, world: World) -> None:
    response = client.get(f"{ERRORS}/app/999999?hapikey={world.app.developer_api_key}")

    assert response.status_code == 404
    assert_hubspot_error(response.json(), "OBJECT_NOT_FOUND")


def test_non_numeric_app_id_is_400(client: TestClient, world: World) -> None:
    response = client.get(f"{ERRORS}/app/my-app?hapikey={world.app.developer_api_key}")

    assert response.status_code == 400
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    assert "appId" in response.json()["message"]


@pytest.mark.parametrize(
    ("path", "credential"),
    [
        ("", "portal_key"),
        ("", "developer_key"),
        ("/portal", "app_token"),
        ("/portal", "developer_key"),
        ("/app/{app}", "portal_key"),
        ("/app/{app}", "app_token"),
    ],
)
def test_each_listing_refuses_other_credential_kinds(
    client: TestClient, world: World, path: str, credential: str
) -> None:
    url = ERRORS + path.format(app=world.app.app_id)
    if credential == "app_token":
        response = client.get(url, headers=bearer(world.app.access_token))
    else:
        key = world.portal.api_key if credential == "portal_key" else world.app.developer_api_key
        response = client.get(url, params={"hapikey": key})

    assert response.status_code == 403
    assert_hubspot_error(response.json(), "INVALID_AUTHENTICATION")


def test_listings_without_credentials_are_401(client: TestClient, world: World) -> None:
    for path in ("", "/portal", f"/app/{world.app.app_id}"):
        response = client.get(ERRORS + path)
        assert response.status_code == 401
        assert_hubspot_error(response.json(), "INVALID_AUTHENTICATION")


def test_filters_by_object_type_and_error_type(client: TestClient, world: World) -> None:
    portal = f"{ERRORS}/portal?hapikey={world.portal.api_key}"

    assert ids(client.get(f"{portal}&objectType=DEAL").json()) == ["own-2"]
    assert ids(client.get(f"{portal}&errorType=MISSING_REQUIRED_PROPERTY").json()) == [
        "second-1", "app-1", "own-1",
    ]  # fmt: skip
    assert client.get(f"{portal}&errorType=BAD_SETTINGS").json() == {"results": []}


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("errorType=NOPE", "errorType"),
        ("objectType=COMPANY", "objectType"),
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("offset=99999999999999999999", "offset"),
        ("page=1.5", "page"),
        ("page=0", "page"),
        ("includeResolved=maybe", "includeResolved"),
    ],
)
def test_bad_parameters_are_400_naming_them(
    client: TestClient, world: World, query: str, named: str
) -> None:
    response = client.get(f"{ERRORS}/portal?{query}&hapikey={world.portal.api_key}")

    assert response.status_code == 400
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    assert named in response.json()["message"]


def test_unknown_error_type_names_the_allowed_values(client: TestClient, world: World) -> None:
    message = client.get(f"{ERRORS}/portal?errorType=X&hapikey={world.portal.api_key}").json()[
        "message"
    ]

    assert "ERROR_INVALID_DATE_PROPERTY" in message and "NO_DEFINED_PROPERTIES" in message


def _many(db: Database, portal_id: int, count: int, same_time: bool = False) -> list[str]:
    rows = [ErrorRow(portal_id, f"e-{i:03d}", T0 + (0 if same_time else i)) for i in range(count)]
    insert_errors(db, rows)
    if same_time:
        return [r.external_id for r in rows]
    return [r.external_id for r in reversed(rows)]


def test_paging_by_offset_until_the_end(client: TestClient, db: Database, world: World) -> None:
    newest_first = _many(db, world.other.id, 5)
    url = f"{ERRORS}/portal?limit=2&hapikey={world.other.api_key}"
    # The other portal already has two newer errors (T0 + 80 and T0 + 20).
    expected = ["other-own-1", "other-app-1", *newest_first]

    first = client.get(f"{url}&offset=0").json()
    assert ids(first) == expected[:2]
    assert first["paging"]["next"]["page"] == "3"
    assert "hapikey" not in first["paging"]["next"]["link"]
    assert ids(client.get(f"{url}&offset=2").json()) == expected[2:4]
    last = client.get(f"{url}&offset=6").json()
    assert ids(last) == expected[6:]
    assert "paging" not in last
    assert client.get(f"{url}&offset=7").json() == {"results": []}
    assert client.get(f"{url}&offset=60").json() == {"results": []}


def test_paging_by_page_follows_links_and_returns_every_error_once(
    client: TestClient, db: Database, world: World
) -> None:
    same_ms = _many(db, world.other.id, 7, same_time=True)
    url: str | None = f"{ERRORS}/portal?limit=3&page=1&includeResolved=false"
    seen: list[str] = []
    while url is not None:
        body = client.get(url, params={"hapikey": world.other.api_key}).json()
        seen += ids(body)
        url = body["paging"]["next"]["link"] if "paging" in body else None

    assert seen == ["other-own-1", "other-app-1", *same_ms]


def test_limit_defaults_to_200_and_larger_limits_are_clamped(
    client: TestClient, db: Database, world: World
) -> None:
    _many(db, world.other.id, 205)
    url = f"{ERRORS}/portal?hapikey={world.other.api_key}"

    default = client.get(url).json()
    clamped = client.get(f"{url}&limit=1000").json()

    assert len(default["results"]) == len(clamped["results"]) == 200
    assert default["paging"]["next"]["page"] == "201"
    # 205 plus the portal's two earlier errors.
    assert len(client.get(f"{url}&page=201").json()["results"]) == 7


def test_trailing_slash_is_tolerated(client: TestClient, world: World) -> None:
    response = client.get(f"{ERRORS}/", headers=bearer(world.app.access_token))

    assert response.status_code == 200
    assert ids(response.json()) == ["app-2", "app-1"]
