"""Non-2xx answers become one exception tree, built from HubSpot's error body."""

from __future__ import annotations

import httpx
import pytest

from ecombridge.client import (
    BadRequest,
    BridgeError,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Retry,
    ServerError,
    TransportError,
    Unauthorized,
)
from tests.client.mock_bridge import MockBridge

HUBSPOT_401 = {
    "status": "error",
    "message": "The API key provided is invalid.",
    "correlationId": "4d39ff11-1111-2222-3333-444455556666",
    "requestId": "abc",
    "category": "INVALID_AUTHENTICATION",
}


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (409, Conflict),
        (413, PayloadTooLarge),
        (429, RateLimited),
        (500, ServerError),
        (503, ServerError),
        (418, BridgeError),
    ],
)
def test_each_status_maps_to_its_exception(status: int, cls: type[BridgeError]) -> None:
    bridge = MockBridge().answer(status, {**HUBSPOT_401, "message": f"m{status}"})
    with bridge.client(retry=Retry(max_retries=0)) as client, pytest.raises(cls) as caught:
        client.get_store("default")
    assert type(caught.value) is cls
    assert caught.value.status_code == status
    assert caught.value.message == f"m{status}"


def test_error_carries_category_correlation_id_and_body() -> None:
    bridge = MockBridge().answer(401, HUBSPOT_401)
    with bridge.client() as client, pytest.raises(Unauthorized) as caught:
        client.list_stores()
    error = caught.value
    assert error.category == "INVALID_AUTHENTICATION"
    assert error.correlation_id == HUBSPOT_401["correlationId"]
    assert error.body == HUBSPOT_401
    assert str(error) == "401 INVALID_AUTHENTICATION: The API key provided is invalid."


def test_rate_limit_body_uses_error_type_as_category_and_keeps_retry_after() -> None:
    body = {
        "status": "error",
        "message": "You have reached your secondly limit.",
        "errorType": "RATE_LIMIT",
        "policyName": "SECONDLY",
    }
    bridge = MockBridge().answer(429, body, retry_after="7")
    with bridge.client(max_retries=0, retry=None) as client, pytest.raises(RateLimited) as caught:
        client.list_stores()
    assert caught.value.category == "RATE_LIMIT"
    assert caught.value.retry_after == 7.0


def test_non_json_error_body_still_gives_a_message() -> None:
    bridge = MockBridge(lambda r: httpx.Response(502, text="Bad gateway"))
    with bridge.client(retry=Retry(max_retries=0)) as client, pytest.raises(ServerError) as caught:
        client.list_stores()
    assert caught.value.message == "Bad gateway"
    assert caught.value.category is None


def test_connection_failure_is_a_transport_error() -> None:
    bridge = MockBridge().fail(httpx.ConnectError("connection refused"))
    with (
        bridge.client(retry=Retry(max_retries=0)) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.list_stores()
    assert caught.value.status_code is None
    assert "connection refused" in str(caught.value)
    assert isinstance(caught.value, BridgeError)


def test_an_unreadable_success_answer_is_a_bridge_error() -> None:
    bridge = MockBridge(lambda r: httpx.Response(200, text="<html>proxy page</html>"))
    with bridge.client() as client, pytest.raises(BridgeError) as caught:
        client.get_store("s")
    assert caught.value.status_code == 200
    assert "Unexpected answer from the bridge" in caught.value.message
