"""A client calling a portal's CRM API with its token, and readers of HubSpot's error details."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from fastapi.testclient import TestClient

from tests.support.wire import bearer

V3 = "/crm/v3/objects"
V4 = "/crm/v4"


@dataclass
class Crm:
    """The CRM API of one portal, as its private-app token calls it."""

    client: TestClient
    token: str

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> httpx.Response:
        return self.client.request(
            method, path, json=body, params=params or None, headers=bearer(self.token)
        )

    def ok(self, method: str, path: str, body: Any = None, status: int = 200, **params: Any) -> Any:
        response = self.call(method, path, body, **params)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def create(self, type_name: str, properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
        created: dict[str, Any] = self.ok(
            "POST", f"{V3}/{type_name}", {"properties": properties, **extra}, status=201
        )
        return created

    def get(self, type_name: str, object_id: object, *properties: str) -> dict[str, Any]:
        params = {"properties": ",".join(properties)} if properties else {}
        found: dict[str, Any] = self.ok("GET", f"{V3}/{type_name}/{object_id}", **params)
        return found

    def unique_property(self, type_name: str, name: str, type_: str = "string") -> None:
        body = {"name": name, "label": name, "type": type_, "hasUniqueValue": True}
        self.ok("POST", f"/crm/v3/properties/{type_name}", body, status=201)


def invalid_names(body: dict[str, Any]) -> dict[str, str]:
    """property name -> HubSpot's error code, from a VALIDATION_ERROR's details."""
    return {e["in"]: e["code"] for e in body["errors"]}
