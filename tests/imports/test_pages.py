"""v2 POST /extensions/ecomm/v2/imports/page and /end (reference §3 rows 14-15, §5.6): pages are
stored as they arrive, ends are checked against what arrived, and the import is queued for apply
once all four types have ended."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from ecombridge.db.tables import import_pages
from tests.imports.conftest import STORE, V2, Importer
from tests.support.factories import Portal, make_installed_app
from tests.support.live import LiveServer
from tests.support.wire import assert_hubspot_error, bearer

TYPES = ("PRODUCT", "CONTACT", "DEAL", "LINE_ITEM")


def page(started_at: int, object_type: str, messages: list[Any], **extra: Any) -> dict[str, Any]:
    body = {"storeId": STORE, "importStartedAt": started_at, "objectType": object_type}
    return body | {"messages": messages} | extra


def end(started_at: int, object_type: str, pages: int, items: int) -> dict[str, Any]:
    return {
        "storeId": STORE,
        "importStartedAt": started_at,
        "objectType": object_type,
        "pageCount": pages,
        "itemCount": items,
    }


def products(*ids: str) -> list[dict[str, Any]]:
    return [{"externalObjectId": i, "properties": {"name": f"Product {i}"}} for i in ids]


def test_pages_are_counted_and_ends_move_the_import_to_processing(ready: Importer) -> None:
    started_at = ready.started()
    first = ready.page(page(started_at, "PRODUCT", products("p1", "p2"), pageNumber=0))
    assert first.status_code == 204
    assert first.content == b""
    assert ready.page(page(started_at, "PRODUCT", products("p3"), pageNumber=1)).status_code == 204
    assert ready.end(end(started_at, "PRODUCT", 2, 3)).status_code == 204

    product = ready.progress()["objectTypes"]["PRODUCT"]
    assert product == {
        "announced": 2,
        "receivedPages": 2,
        "receivedItems": 3,
        "applied": 0,
        "ended": True,
        "endPageCount": 2,
        "endItemCount": 3,
    }
    assert ready.progress()["state"] == "RECEIVING"
    for object_type in ("CONTACT", "DEAL", "LINE_ITEM"):
        assert ready.end(end(started_at, object_type, 0, 0)).status_code == 204
    progress = ready.progress()
    assert progress["state"] == "PROCESSING"
    assert progress["totals"]["received"] == 3
    assert "All object types ended" in progress["events"][-1]["message"]


def test_page_number_defaults_to_the_next_one(ready: Importer) -> None:
    started_at = ready.started()
    for ids in (["a"], ["b", "c"], ["d"]):
        assert ready.page(page(started_at, "PRODUCT", products(*ids))).status_code == 204
    assert ready.end(end(started_at, "PRODUCT", 3, 4)).status_code == 204
    product = ready.progress()["objectTypes"]["PRODUCT"]
    assert (product["receivedPages"], product["receivedItems"]) == (3, 4)
    assert "mismatch" not in ready.progress()["events"][-1]["message"]


def test_duplicate_page_number_is_409_and_changes_nothing(ready: Importer) -> None:
    started_at = ready.started()
    assert ready.page(page(started_at, "DEAL", [], pageNumber=0)).status_code == 204
    again = ready.page(page(started_at, "DEAL", products("x"), pageNumber=0))
    assert again.status_code == 409
    assert_hubspot_error(again.json(), "CONFLICT")
    assert "page 0 of DEAL was already received" in again.json()["message"]
    deal = ready.progress()["objectTypes"]["DEAL"]
    assert (deal["receivedPages"], deal["receivedItems"]) == (1, 0)


def test_mismatched_store_or_start_is_400_naming_it(ready: Importer) -> None:
    started_at = ready.started()
    wrong_store = ready.page(page(started_at, "PRODUCT", []) | {"storeId": "other"})
    assert wrong_store.status_code == 400
    assert_hubspot_error(wrong_store.json(), "VALIDATION_ERROR")
    assert wrong_store.json()["message"].startswith("storeId: 'other' does not match")

    wrong_start = ready.page(page(started_at + 5, "PRODUCT", []))
    assert wrong_start.status_code == 400
    message = wrong_start.json()["message"]
    assert message.startswith(f"importStartedAt: {started_at + 5} does not match")
    assert str(started_at) in message

    wrong_end = ready.end(end(started_at - 1, "PRODUCT", 0, 0))
    assert wrong_end.status_code == 400
    assert "importStartedAt" in wrong_end.json()["message"]


def test_account_id_is_an_alias_of_store_id(ready: Importer) -> None:
    started_at = ready.started()
    body = page(started_at, "PRODUCT", products("a"))
    body["accountId"] = body.pop("storeId")
    assert ready.page(body).status_code == 204


def test_portal_id_must_be_the_token_portal(ready: Importer, portal: Portal) -> None:
    started_at = ready.started()
    good = page(started_at, "PRODUCT", [], portalId=portal.id)
    assert ready.page(good).status_code == 204
    bad = ready.page(page(started_at, "PRODUCT", [], portalId=portal.id + 1))
    assert bad.status_code == 400
    assert bad.json()["message"].startswith("portalId:")


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"properties": {}}, "messages[1].externalObjectId"),
        ({"externalObjectId": "é"}, "messages[1].externalObjectId: must be ASCII"),
        ({"externalObjectId": "x" * 101}, "messages[1].externalObjectId"),
        ({"externalObjectId": "a", "properties": []}, "messages[1].properties"),
        ({"externalObjectId": "a", "associations": {"DEAL": "d1"}}, "messages[1].associations"),
        # Nothing the database cannot store is acknowledged.
        ({"externalObjectId": "a\x00"}, "messages[1].externalObjectId: text must not contain NUL"),
        ({"externalObjectId": "a", "properties": {"n": "x\x00"}}, "messages[1].properties.n"),
        (
            {"externalObjectId": "a", "associations": {"DEAL": ["d\x00"]}},
            "messages[1].associations.DEAL[0]",
        ),
        (
            {"externalObjectId": "a", "associations": {"DEAL": [str(i) for i in range(1001)]}},
            "messages[1].associations.DEAL: 1001 ids; send at most 1000",
        ),
        (
            {
                "externalObjectId": "a",
                "properties": {
                    "n": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]
                },
            },
            "messages[1].properties.n: nested deeper than 32 levels",
        ),
    ],
)
def test_invalid_message_is_400_naming_its_index(
    ready: Importer, message: dict[str, Any], field: str
) -> None:
    started_at = ready.started()
    response = ready.page(page(started_at, "CONTACT", [{"externalObjectId": 1}, message]))
    assert response.status_code == 400
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    assert field in response.json()["message"]
    assert ready.progress()["objectTypes"]["CONTACT"]["receivedPages"] == 0


def test_page_limits_and_object_type(ready: Importer) -> None:
    started_at = ready.started()
    too_many = ready.page(page(started_at, "PRODUCT", products(*map(str, range(201)))))
    assert too_many.status_code == 400
    assert "messages" in too_many.json()["message"]
    lower = ready.page(page(started_at, "product", []))
    assert lower.status_code == 400
    assert "objectType" in lower.json()["message"]


def test_mismatched_end_is_recorded_and_the_import_continues(ready: Importer) -> None:
    started_at = ready.started()
    assert ready.page(page(started_at, "PRODUCT", products("a", "b"))).status_code == 204
    assert ready.end(end(started_at, "PRODUCT", 3, 7)).status_code == 204
    event = ready.progress()["events"][-1]["message"]
    assert "PRODUCT ended with a mismatch" in event
    assert "3 pages / 7 items" in event and "1 pages / 2 items arrived" in event
    for object_type in ("CONTACT", "DEAL", "LINE_ITEM"):
        ready.end(end(started_at, object_type, 0, 0))
    assert ready.progress()["state"] == "PROCESSING"


def test_second_end_and_pages_after_end_are_409(ready: Importer) -> None:
    started_at = ready.started()
    assert ready.end(end(started_at, "CONTACT", 0, 0)).status_code == 204
    again = ready.end(end(started_at, "CONTACT", 0, 0))
    assert again.status_code == 409
    assert "already ended" in again.json()["message"]
    late = ready.page(page(started_at, "CONTACT", []))
    assert late.status_code == 409
    assert "already ended" in late.json()["message"]


def test_pages_of_a_finished_import_are_400(ready: Importer) -> None:
    started_at = ready.started()
    for object_type in TYPES:
        ready.end(end(started_at, object_type, 0, 0))
    response = ready.page(page(started_at, "PRODUCT", []))
    assert response.status_code == 400
    assert "accepted only while it is RECEIVING" in response.json()["message"]


def test_only_an_app_installation_may_send_pages(
    client: TestClient, ready: Importer, portal: Portal
) -> None:
    started_at = ready.started()
    body = page(started_at, "PRODUCT", [])
    with_key = client.post(f"{V2}/imports/page?hapikey={portal.api_key}", json=body)
    assert with_key.status_code == 403
    assert_hubspot_error(with_key.json(), "INVALID_AUTHENTICATION")
    anonymous = client.post(f"{V2}/imports/end", json=end(started_at, "PRODUCT", 0, 0))
    assert anonymous.status_code == 401


def test_progress_of_an_unknown_import_is_404(ready: Importer) -> None:
    response = ready.client.get(f"{V2}/imports/{STORE}", headers=ready.auth)
    assert response.status_code == 404
    assert_hubspot_error(response.json(), "OBJECT_NOT_FOUND")
    started_at = ready.started()
    other = ready.client.get(f"{V2}/imports/{STORE}/{started_at + 1}", headers=ready.auth)
    assert other.status_code == 404


@pytest.mark.parametrize("store_id", ["a%00b", "x" * 101, "caf%C3%A9"])
def test_progress_of_a_store_id_no_store_can_have_is_404(ready: Importer, store_id: str) -> None:
    for path in (f"{V2}/imports/{store_id}", f"{V2}/imports/{store_id}/{ready.started()}"):
        response = ready.client.get(path, headers=ready.auth)
        assert response.status_code == 404
        assert_hubspot_error(response.json(), "OBJECT_NOT_FOUND")


def test_pages_and_ends_before_the_webhook_reply_is_read_are_kept(ready: Importer) -> None:
    """An integrator may push its pages before the bridge has read its reply to the webhook."""
    response = ready.start()
    started_at = response.json()["importStartedAt"]
    assert ready.page(page(started_at, "PRODUCT", products("p1"))).status_code == 204
    for object_type in TYPES:
        n = int(object_type == "PRODUCT")
        assert ready.end(end(started_at, object_type, n, n)).status_code == 204
    assert ready.progress()["state"] == "AWAITING_COUNTS"
    ready.run_jobs()  # the webhook's counts arrive, then the apply runs
    progress = ready.progress()
    assert progress["state"] == "COMPLETE"
    assert progress["objectTypes"]["PRODUCT"]["applied"] == 1
    assert not any("mismatch" in e["message"] for e in progress["events"])


def test_another_app_cannot_see_or_feed_the_import(
    ready: Importer, client: TestClient, db: Database, portal: Portal
) -> None:
    started_at = ready.started()
    other = make_installed_app(db, portal.id, "Other app")
    auth = bearer(other.access_token)
    assert client.get(f"{V2}/imports/{STORE}", headers=auth).status_code == 404
    body = page(started_at, "PRODUCT", products("p1"))
    response = client.post(f"{V2}/imports/page", json=body, headers=auth)
    assert response.status_code == 400
    assert "importStartedAt" in response.json()["message"]


def test_concurrent_pages_without_numbers_are_all_kept(
    ready: Importer, live_server: LiveServer
) -> None:
    started_at = ready.started()

    def send(worker: int) -> list[int]:
        statuses = []
        with httpx.Client(base_url=live_server.url, headers=ready.auth, timeout=30) as http:
            for n in range(5):
                ids = [f"w{worker}-{n}-{i}" for i in range(10)]
                body = page(started_at, "CONTACT", products(*ids))
                statuses.append(http.post(f"{V2}/imports/page", json=body).status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = [s for statuses in pool.map(send, range(4)) for s in statuses]
    assert results == [204] * 20
    contact = ready.progress()["objectTypes"]["CONTACT"]
    assert (contact["receivedPages"], contact["receivedItems"]) == (20, 200)
    with ready.db.read() as conn:
        numbers = conn.execute(
            sa.select(import_pages.c.page_number).where(import_pages.c.object_type == "CONTACT")
        ).scalars()
        assert sorted(numbers) == list(range(20))


def test_an_import_in_progress_can_be_cancelled(ready: Importer) -> None:
    started_at = ready.started()
    assert ready.page(page(started_at, "PRODUCT", products("p1"))).status_code == 204
    path = f"{V2}/imports/{STORE}/{started_at}/cancel"
    cancelled = ready.client.post(path, headers=ready.auth)
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "FAILED"
    assert cancelled.json()["failureReason"] == "cancelled by the app."
    late = ready.page(page(started_at, "PRODUCT", products("p2")))
    assert late.status_code == 400
    again = ready.client.post(path, headers=ready.auth)
    assert again.status_code == 409
    assert_hubspot_error(again.json(), "CONFLICT")
    assert ready.start().status_code == 202  # the store can be imported again
    missing = ready.client.post(f"{V2}/imports/{STORE}/1/cancel", headers=ready.auth)
    assert missing.status_code == 404
