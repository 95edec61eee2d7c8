"""Small helpers shared by the acceptance scenarios: wire constants, HubSpot's error shape, the
query strings real clients build, and a deterministic shop."""

from __future__ import annotations

from typing import Any

V1 = "/extensions/ecomm/v1"
V2 = "/extensions/ecomm/v2"
JSON = {"Content-Type": "application/json"}
ERROR_CATEGORIES = {
    "VALIDATION_ERROR",
    "INVALID_AUTHENTICATION",
    "MISSING_SCOPES",
    "OBJECT_NOT_FOUND",
    "RATE_LIMITS",
    "CONFLICT",
}


def php_query(hapikey: str, **params: object) -> str:
    """hubspot-php's query string: a leading empty component, the key last (``?&a=1&hapikey=K``)."""
    pairs = [f"{name}={value}" for name, value in params.items()]
    return "?&" + "&".join([*pairs, f"hapikey={hapikey}"])


def assert_error_shape(body: Any, status: int) -> None:
    """Every 4xx body: HubSpot's error object."""
    assert isinstance(body, dict), body
    assert body["status"] == "error", body
    assert isinstance(body["message"], str) and body["message"], body
    assert isinstance(body["correlationId"], str) and len(body["correlationId"]) == 36, body
    assert isinstance(body["requestId"], str) and len(body["requestId"]) == 32, body
    assert body["category"] in ERROR_CATEGORIES, (status, body)


def v2_mapping(*pairs: tuple[str, str] | tuple[str, str, str]) -> dict[str, Any]:
    properties = []
    for pair in pairs:
        entry = {"externalPropertyName": pair[0], "hubspotPropertyName": pair[1]}
        if len(pair) == 3:
            entry["dataType"] = pair[2]
        properties.append(entry)
    return {"properties": properties}


def shop_mappings() -> dict[str, Any]:
    """The v2 mappings of the acceptance shop (datatypes as hubwoo-style integrations send)."""
    return {
        "CONTACT": v2_mapping(
            ("email", "email", "STRING"),
            ("first_name", "firstname", "STRING"),
            ("last_name", "lastname", "STRING"),
        ),
        "PRODUCT": v2_mapping(
            ("title", "name", "STRING"),
            ("price", "price", "NUMBER"),
            ("sku", "hs_sku", "STRING"),
            ("image", "ip__ecomm_bridge__image_url", "AVATAR_IMAGE"),
        ),
        "DEAL": v2_mapping(
            ("name", "dealname", "STRING"),
            ("stage", "dealstage", "STRING"),
            ("total", "amount", "NUMBER"),
            ("closed_at", "closedate", "DATETIME"),
            ("kind", "dealtype", "STRING"),
        ),
        "LINE_ITEM": v2_mapping(
            ("name", "name", "STRING"),
            ("quantity", "quantity", "NUMBER"),
            ("price", "price", "NUMBER"),
        ),
    }


def v1_shop_settings() -> dict[str, Any]:
    """mitxpro/edX v1 settings: associations as ``hs_assoc__*`` mapped properties."""

    def props(*rows: tuple[str, str, str]) -> dict[str, Any]:
        return {
            "properties": [
                {"propertyName": name, "dataType": data_type, "targetHubspotProperty": target}
                for name, target, data_type in rows
            ]
        }

    return {
        "enabled": True,
        "productSyncSettings": props(
            ("title", "name", "STRING"), ("price", "price", "NUMBER"), ("sku", "hs_sku", "STRING")
        ),
        "dealSyncSettings": props(
            ("name", "dealname", "STRING"),
            ("stage", "dealstage", "STRING"),
            ("total", "amount", "NUMBER"),
            ("kind", "dealtype", "STRING"),
            ("customer", "hs_assoc__contact_ids", "STRING"),
        ),
        "lineItemSyncSettings": props(
            ("name", "name", "STRING"),
            ("quantity", "quantity", "NUMBER"),
            ("price", "price", "NUMBER"),
            ("order", "hs_assoc__deal_id", "STRING"),
            ("product", "hs_assoc__product_id", "STRING"),
        ),
        "contactSyncSettings": props(
            ("email", "email", "STRING"),
            ("first_name", "firstname", "STRING"),
            ("last_name", "lastname", "STRING"),
        ),
    }
