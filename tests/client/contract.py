"""Shared pieces of the SDK's contract tests against the real app on a live server."""

from __future__ import annotations

from ecombridge.client import PropertyMapping, Settings

MAPPINGS = {
    "CONTACT": [
        PropertyMapping("email", "email", "STRING"),
        PropertyMapping("first_name", "firstname", "STRING"),
    ],
    "PRODUCT": [
        PropertyMapping("name", "name", "STRING"),
        PropertyMapping("price", "price", "NUMBER"),
    ],
    "DEAL": [
        PropertyMapping("name", "dealname", "STRING"),
        PropertyMapping("stage", "dealstage", "STRING"),
        PropertyMapping("total", "amount", "NUMBER"),
    ],
    "LINE_ITEM": [
        PropertyMapping("name", "name", "STRING"),
        PropertyMapping("quantity", "quantity", "NUMBER"),
    ],
}


def settings(webhook_uri: str | None = None) -> Settings:
    return Settings(
        enabled=True, webhook_uri=webhook_uri, mappings={k: list(v) for k, v in MAPPINGS.items()}
    )
