"""Assertions on HubSpot's error body, shared by every endpoint's tests."""

from __future__ import annotations

import httpx


def error_category(body: object) -> object:
    """Check a body is HubSpot's error object and return its category."""
    assert isinstance(body, dict), body
    assert body["status"] == "error", body
    assert isinstance(body["message"], str) and body["message"], body
    assert isinstance(body["correlationId"], str) and len(body["correlationId"]) == 36, body
    assert isinstance(body["requestId"], str) and len(body["requestId"]) == 32, body
    return body["category"]


def assert_hubspot_error(body: dict[str, object], category: str) -> None:
    assert error_category(body) == category


def assert_bad_field(response: httpx.Response, field: str) -> None:
    """A 400 in HubSpot's shape whose message starts with the offending field's name."""
    assert response.status_code == 400, response.text
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    assert response.json()["message"].startswith(f"{field}:")


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of an OAuth access token or private-app token."""
    return {"Authorization": f"Bearer {token}"}
