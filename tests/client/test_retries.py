"""Retries: backoff with jitter on 429, 5xx and connection errors; Retry-After honoured;
only idempotent calls (and the sync PUTs) are retried; max_retries=0 disables."""

from __future__ import annotations

import httpx
import pytest

from ecombridge.client import Retry, ServerError, Store, SyncMessage, TransportError
from tests.client.mock_bridge import MockBridge

STORE = {"id": "s1", "label": "Shop", "adminUri": "https://shop.test/admin"}


def test_get_is_retried_after_5xx_with_exponential_backoff() -> None:
    bridge = MockBridge().answer(500, {"message": "boom"}).answer(503).answer(200, STORE)
    with bridge.client(retry=Retry(max_retries=3, backoff_factor=0.5, jitter=0.0)) as client:
        assert client.get_store("s1") == Store("s1", "Shop", "https://shop.test/admin")
    assert len(bridge.requests) == 3
    assert bridge.sleeps == [0.5, 1.0]


def test_backoff_has_jitter_within_bounds_and_a_cap() -> None:
    retry = Retry(backoff_factor=1.0, max_backoff=4.0, jitter=0.25)
    delays = [retry.delay(attempt) for attempt in range(6) for _ in range(20)]
    assert all(0.75 <= d <= 5.0 for d in delays)
    assert len({round(d, 6) for d in delays}) > 10
    assert max(retry.delay(10) for _ in range(50)) <= 5.0


def test_retry_after_seconds_is_honoured_on_429() -> None:
    bridge = MockBridge().answer(429, {"message": "slow down"}, retry_after="3").answer(200, STORE)
    with bridge.client() as client:
        client.get_store("s1")
    assert bridge.sleeps == [3.0]


def test_retry_after_http_date_is_honoured() -> None:
    bridge = (
        MockBridge()
        .answer(503, {"message": "later"}, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
        .answer(200, STORE)
    )
    with bridge.client() as client:
        client.get_store("s1")
    assert bridge.sleeps == [0.0]  # a date in the past: retry at once


def test_gives_up_after_max_retries_and_raises_the_last_error() -> None:
    bridge = MockBridge(lambda r: httpx.Response(500, json={"message": "down"}))
    client = bridge.client(retry=Retry(max_retries=2, jitter=0.0))
    with client, pytest.raises(ServerError, match="down"):
        client.list_stores()
    assert len(bridge.requests) == 3


def test_max_retries_zero_disables_retries() -> None:
    bridge = MockBridge(lambda r: httpx.Response(503, json={"message": "down"}))
    with bridge.client(retry=None, max_retries=0) as client, pytest.raises(ServerError):
        client.list_stores()
    assert len(bridge.requests) == 1
    assert bridge.sleeps == []


def test_connection_errors_are_retried() -> None:
    bridge = MockBridge().fail(httpx.ConnectError("refused")).answer(200, {"results": []})
    with bridge.client() as client:
        assert client.list_stores() == []
    assert len(bridge.requests) == 2


def test_connection_errors_exhausting_retries_raise_transport_error() -> None:
    bridge = MockBridge()
    for _ in range(4):
        bridge.fail(httpx.ReadTimeout("timed out"))
    with bridge.client() as client, pytest.raises(TransportError):
        client.list_stores()
    assert len(bridge.requests) == 4


def test_sync_put_is_retried_because_it_is_idempotent() -> None:
    bridge = MockBridge().answer(502).answer(204)
    with bridge.client() as client:
        client.send_sync_messages("CONTACT", [SyncMessage("1", {"email": "a@b.test"})])
    assert [r.method for r in bridge.requests] == ["PUT", "PUT"]
    assert bridge.requests[0].content == bridge.requests[1].content


def test_post_replace_default_store_is_not_retried() -> None:
    bridge = MockBridge().answer(503, {"message": "down"}).answer(200, STORE)
    with bridge.client() as client, pytest.raises(ServerError):
        client.replace_default_store(Store("s1", "Shop"))
    assert len(bridge.requests) == 1


def test_4xx_other_than_429_is_not_retried() -> None:
    bridge = MockBridge().answer(400, {"message": "bad"}).answer(200, STORE)
    with bridge.client() as client, pytest.raises(Exception, match="bad"):
        client.get_store("s1")
    assert len(bridge.requests) == 1
