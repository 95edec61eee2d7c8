"""Error listings page automatically: v2 follows ``paging.next.page``; v1 pages by offset."""

from __future__ import annotations

from typing import Any

import httpx

from ecombridge.client import SyncError
from tests.client.mock_bridge import MockBridge


def error(i: int) -> dict[str, Any]:
    return {
        "portalId": 1,
        "storeId": "default",
        "objectType": "CONTACT",
        "externalObjectId": str(i),
        "changedAt": 1,
        "erroredAt": 2,
        "type": "INVALID_EMAIL_ADDRESS",
        "details": "bad",
        "status": "OPEN",
    }


def v2_pages(total: int) -> MockBridge:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        limit = int(request.url.params["limit"])
        start = page - 1
        results = [error(i) for i in range(start, min(total, start + limit))]
        body: dict[str, Any] = {"results": results}
        if start + limit < total:
            body["paging"] = {"next": {"page": str(page + limit), "link": "..."}}
        return httpx.Response(200, json=body)

    return MockBridge(handler)


def test_portal_errors_follow_paging_until_it_disappears() -> None:
    bridge = v2_pages(5)
    with bridge.client() as client:
        errors = list(
            client.iter_sync_errors("portal", page_size=2, error_type="INVALID_EMAIL_ADDRESS")
        )
    assert [e.external_object_id for e in errors] == ["0", "1", "2", "3", "4"]
    assert isinstance(errors[0], SyncError)
    assert [r.url.params["page"] for r in bridge.requests] == ["1", "3", "5"]
    first = bridge.requests[0]
    assert first.url.path == "/extensions/ecomm/v2/sync/errors/portal"
    assert first.url.params["includeResolved"] == "false"
    assert first.url.params["errorType"] == "INVALID_EMAIL_ADDRESS"
    assert first.url.params["hapikey"] == "portal-key"


def test_the_iterator_is_lazy() -> None:
    bridge = v2_pages(500)
    with bridge.client() as client:
        iterator = client.iter_sync_errors("portal")
        assert next(iterator).external_object_id == "0"
        assert len(bridge.requests) == 1


def test_app_errors_use_the_developer_key_and_app_in_portal_a_token() -> None:
    bridge = v2_pages(1)
    with bridge.client(developer_api_key="dev", app_id=4, access_token="tok") as client:
        list(client.iter_sync_errors("app"))
        list(client.iter_sync_errors("app_in_portal", include_resolved=True))
    app, app_in_portal = bridge.requests
    assert app.url.path == "/extensions/ecomm/v2/sync/errors/app/4"
    assert app.url.params["hapikey"] == "dev"
    assert app_in_portal.url.path == "/extensions/ecomm/v2/sync/errors"
    assert app_in_portal.headers["authorization"] == "Bearer tok"
    assert app_in_portal.url.params["includeResolved"] == "true"


def test_page_size_is_capped_at_200() -> None:
    bridge = v2_pages(0)
    with bridge.client() as client:
        list(client.iter_sync_errors(page_size=1000))
    assert bridge.requests[0].url.params["limit"] == "200"


def test_v1_errors_page_by_offset_until_an_empty_page() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        limit = int(request.url.params["limit"])
        rows = [
            {
                "portalId": 1,
                "objectType": "DEAL",
                "integratorObjectId": str(i),
                "changeOccurredTimestamp": 1,
                "errorTimestamp": 2,
                "type": "INVALID_DEAL_STAGE",
                "details": "d",
                "status": "OPEN",
            }
            for i in range(offset, min(3, offset + limit))
        ]
        return httpx.Response(200, json={"results": rows})

    bridge = MockBridge(handler)
    with bridge.client() as client:
        errors = list(client.v1_iter_sync_errors(page_size=2, include_resolved=True))
    assert [e.integrator_object_id for e in errors] == ["0", "1", "2"]
    assert [r.url.params["offset"] for r in bridge.requests] == ["0", "2", "3"]
    assert bridge.requests[0].url.params["showResolvedErrors"] == "true"
    assert bridge.requests[0].url.path == "/extensions/ecomm/v1/sync-errors"
